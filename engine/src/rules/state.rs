//! What a running script can see (the application, the program, the date) and what it has
//! reported so far. Native functions reach it through a thread-local pointer that is set
//! only for the duration of one run: a decision runs on one thread from start to end.

use crate::application::Application;
use crate::date::Date;
use crate::program::Program;
use crate::text::Text;
use std::cell::{Cell, RefCell};

/// Which rule produced an item: the script and line of the call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Source {
    pub script: String,
    pub line: usize,
}

/// A message a rule reported: its code in the manifest (when given by code) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub code: Option<String>,
    pub text: Text,
}

#[derive(Debug, Clone)]
pub struct Reported<T> {
    pub item: T,
    pub source: Source,
}

/// Everything rules reported during one decision, in call order.
#[derive(Debug, Default)]
pub struct Reports {
    /// (person, path, message)
    pub incomplete: Vec<Reported<(usize, String, Message)>>,
    pub ineligible: Vec<Reported<Message>>,
    /// (person, fee code, amount in cents)
    pub fees: Vec<Reported<(Option<usize>, String, i64)>>,
    /// (person, or every line of the fee when none; fee code, reason)
    pub waivers: Vec<Reported<(Option<usize>, String, Message)>>,
    pub documents: Vec<Reported<String>>,
    /// (person, form id)
    pub forms: Vec<Reported<(usize, String)>>,
    pub create: Vec<Reported<String>>,
    pub paper_only: Vec<Reported<Message>>,
    pub warnings: Vec<Reported<Message>>,
    /// Every reporting call, in order: the function name and where it was called.
    pub trace: Vec<Reported<String>>,
}

pub struct Run<'a> {
    pub program: &'a Program,
    pub app: Application<'a>,
    pub as_of: Date,
    pub reports: RefCell<Reports>,
}

thread_local! {
    static CURRENT: Cell<*const ()> = const { Cell::new(std::ptr::null()) };
}

/// Makes `run` visible to native functions while `f` runs on this thread.
pub fn with_run<R>(run: &Run<'_>, f: impl FnOnce() -> R) -> R {
    struct Restore(*const ());
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let previous = CURRENT.with(|c| c.replace(run as *const Run<'_> as *const ()));
    let _restore = Restore(previous);
    f()
}

/// Calls `f` with the current run; `None` outside a decision (e.g. while loading).
pub fn current<R>(f: impl FnOnce(&Run<'_>) -> R) -> Option<R> {
    let ptr = CURRENT.with(Cell::get);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the pointer is set by `with_run` from a live `&Run` and reset when that call
    // returns (or unwinds), so it is valid for the whole time it is non-null on this thread.
    let run = unsafe { &*(ptr as *const Run<'_>) };
    Some(f(run))
}
