//! The functions rule scripts call: reading the application and reporting findings.
//! Every reporting call records the script and line it came from.

use super::state::{current, Message, Reported, Run, Source};
use crate::application::Role;
use crate::text::Text;
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext, Position,
};
use serde_json::Value;

pub(super) type Res<T> = Result<T, Box<EvalAltResult>>;

/// Names of the functions that report something: the call sites coverage counts.
pub const REPORTING: &[&str] = &[
    "incomplete",
    "ineligible",
    "fee",
    "fee_for",
    "waive",
    "waive_for",
    "require_document",
    "require_form",
    "also_create",
    "paper_only",
    "warn",
];

/// A person of the application, as scripts see it.
#[derive(Debug, Clone)]
pub struct Person {
    pub index: usize,
}

pub(super) fn err<T>(msg: impl Into<String>, pos: Position) -> Res<T> {
    Err(Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(msg.into()),
        pos,
    )))
}

fn with<T>(ctx: &NativeCallContext, f: impl FnOnce(&Run<'_>) -> Res<T>) -> Res<T> {
    match current(f) {
        Some(r) => r,
        None => err(
            "rule functions can only be used while deciding an application",
            ctx.call_position(),
        ),
    }
}

fn source(ctx: &NativeCallContext) -> Source {
    Source {
        script: ctx.call_source().unwrap_or("?").to_string(),
        line: ctx.call_position().line().unwrap_or(0),
    }
}

/// A message argument: a message code of the manifest, or `#{en, fr}`; `{name}` filled from vars.
fn message(
    run: &Run<'_>,
    ctx: &NativeCallContext,
    msg: &Dynamic,
    vars: Option<&Map>,
) -> Res<Message> {
    let mut code_of = None;
    let text = if let Some(code) = msg.clone().try_cast::<ImmutableString>() {
        match run.program.manifest.messages.get(code.as_str()) {
            Some(t) => {
                code_of = Some(code.to_string());
                t.clone()
            }
            None => {
                return err(
                    format!(
                        "unknown message code `{code}`: add it to the \"messages\" of {}",
                        run.program.file.display()
                    ),
                    ctx.call_position(),
                )
            }
        }
    } else if let Some(map) = msg.clone().try_cast::<Map>() {
        let get = |k: &str| map.get(k).map(|v| v.to_string()).unwrap_or_default();
        let (en, fr) = (get("en"), get("fr"));
        if en.is_empty() || fr.is_empty() {
            return err(
                "a message map needs both `en` and `fr`",
                ctx.call_position(),
            );
        }
        Text::new(en, fr)
    } else {
        return err(
            format!(
                "a message must be a message code or #{{en: …, fr: …}}, not {}",
                msg.type_name()
            ),
            ctx.call_position(),
        );
    };
    let vars: Vec<(String, String)> = vars
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Message {
        code: code_of,
        text: text.fill(&vars),
    })
}

/// Runs a reporting function and records the call in the trace.
fn report<T>(ctx: &NativeCallContext, f: impl FnOnce(&Run<'_>, Source) -> Res<T>) -> Res<T> {
    let src = source(ctx);
    with(ctx, |run| {
        let out = f(run, src.clone())?;
        run.reports.borrow_mut().trace.push(Reported {
            item: ctx.fn_name().to_string(),
            source: src,
        });
        Ok(out)
    })
}

fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        Value::Array(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect()),
        Value::Object(map) => {
            let mut m = Map::new();
            for (k, v) in map {
                m.insert(k.as_str().into(), to_dynamic(v));
            }
            Dynamic::from_map(m)
        }
    }
}

fn amount_to_cents(amount: &Dynamic, pos: Position) -> Res<i64> {
    let value = if let Ok(i) = amount.as_int() {
        i as f64
    } else if let Ok(f) = amount.as_float() {
        f
    } else {
        return err(
            format!("a fee amount must be a number, not {}", amount.type_name()),
            pos,
        );
    };
    if !(0.0..=1e9).contains(&value) {
        return err(
            format!("a fee amount must be between 0 and 1,000,000,000, not {value}"),
            pos,
        );
    }
    Ok((value * 100.0).round() as i64)
}

fn dated_fee(run: &Run<'_>, code: &str, pos: Position) -> Res<i64> {
    let Some(item) = run.program.manifest.fees.iter().find(|f| f.code == code) else {
        return err(
            format!(
                "unknown fee `{code}`: add it to the \"fees\" of {}",
                run.program.file.display()
            ),
            pos,
        );
    };
    match item.amount_on(run.as_of) {
        Some(a) => Ok((a * 100.0).round() as i64),
        None => err(
            format!("fee `{code}` has no amount in force on {}", run.as_of),
            pos,
        ),
    }
}

/// A path computed at run time is checked like the literal ones are at load.
fn check_path(run: &Run<'_>, path: &str, pos: Position) -> Res<()> {
    run.program
        .check_path(path)
        .or_else(|e| err(format!("`{path}`: {e}"), pos))
}

fn check_person(run: &Run<'_>, p: &Person, pos: Position) -> Res<()> {
    if p.index < run.app.people().len() {
        Ok(())
    } else {
        err(format!("there is no person {}", p.index), pos)
    }
}

/// Registers the rule API on a Rhai engine.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Person>("Person");
    engine.register_get("index", |p: &mut Person| p.index as i64);
    engine.register_get("role", |p: &mut Person| {
        current(|run| run.app.role(p.index).as_str())
            .unwrap_or("other")
            .to_string()
    });
    engine.register_get("age", |p: &mut Person| -> Dynamic {
        current(|run| run.app.age(p.index, run.as_of))
            .flatten()
            .map(|a| Dynamic::from_int(i64::from(a)))
            .unwrap_or(Dynamic::UNIT)
    });
    engine.register_get("name", |p: &mut Person| {
        current(|run| run.app.name(p.index)).unwrap_or_default()
    });
    engine.register_fn("to_string", |p: &mut Person| format!("person {}", p.index));

    // Reading.
    engine.register_fn("principal", |ctx: NativeCallContext| -> Res<Person> {
        with(&ctx, |run| {
            if run.app.people().is_empty() {
                err("the application has no people", ctx.call_position())
            } else {
                Ok(Person { index: 0 })
            }
        })
    });
    engine.register_fn("people", |ctx: NativeCallContext| -> Res<Array> {
        with(&ctx, |run| {
            Ok((0..run.app.people().len())
                .map(|index| Dynamic::from(Person { index }))
                .collect())
        })
    });
    engine.register_fn("spouse", |ctx: NativeCallContext| -> Res<Dynamic> {
        with(&ctx, |run| {
            Ok((1..run.app.people().len())
                .find(|&i| run.app.role(i) == Role::Spouse)
                .map(|index| Dynamic::from(Person { index }))
                .unwrap_or(Dynamic::UNIT))
        })
    });
    engine.register_fn("dependants", |ctx: NativeCallContext| -> Res<Array> {
        with(&ctx, |run| {
            Ok((1..run.app.people().len())
                .filter(|&i| run.app.role(i) == Role::Dependant)
                .map(|index| Dynamic::from(Person { index }))
                .collect())
        })
    });
    engine.register_fn(
        "field",
        |ctx: NativeCallContext, p: Person, path: &str| -> Res<Dynamic> {
            with(&ctx, |run| {
                check_person(run, &p, ctx.call_position())?;
                match run.app.value(p.index, path) {
                    Some(v) => Ok(to_dynamic(v)),
                    // Nothing there: a misspelt path lands here, so this is where it is checked.
                    None => check_path(run, path, ctx.call_position()).map(|()| Dynamic::UNIT),
                }
            })
        },
    );
    engine.register_fn(
        "filled",
        |ctx: NativeCallContext, p: Person, path: &str| -> Res<bool> {
            with(&ctx, |run| {
                check_person(run, &p, ctx.call_position())?;
                match run.app.value(p.index, path) {
                    Some(_) => Ok(true),
                    None => check_path(run, path, ctx.call_position()).map(|()| false),
                }
            })
        },
    );
    engine.register_fn(
        "document",
        |ctx: NativeCallContext, code: &str| -> Res<bool> {
            with(&ctx, |run| Ok(run.app.has_document(code)))
        },
    );
    engine.register_fn(
        "signature",
        |ctx: NativeCallContext, p: Person, what: &str| -> Res<Dynamic> {
            with(&ctx, |run| {
                Ok(run
                    .app
                    .signature(p.index, what)
                    .map(to_dynamic)
                    .unwrap_or(Dynamic::UNIT))
            })
        },
    );
    engine.register_fn("as_of", |ctx: NativeCallContext| -> Res<String> {
        with(&ctx, |run| Ok(run.as_of.to_string()))
    });
    engine.register_fn(
        "in_period",
        |ctx: NativeCallContext, name: &str| -> Res<bool> {
            with(&ctx, |run| match run.program.manifest.periods.get(name) {
                Some(p) => Ok(p.contains(run.as_of)),
                None => err(
                    format!(
                        "unknown period `{name}`: add it to the \"periods\" of {}",
                        run.program.file.display()
                    ),
                    ctx.call_position(),
                ),
            })
        },
    );
    engine.register_fn("period", |ctx: NativeCallContext, name: &str| -> Res<Map> {
        with(&ctx, |run| match run.program.manifest.periods.get(name) {
            Some(p) => {
                let mut m = Map::new();
                m.insert("from".into(), p.from.to_string().into());
                m.insert(
                    "to".into(),
                    p.to.map(|d| d.to_string().into()).unwrap_or(Dynamic::UNIT),
                );
                Ok(m)
            }
            None => err(
                format!(
                    "unknown period `{name}`: add it to the \"periods\" of {}",
                    run.program.file.display()
                ),
                ctx.call_position(),
            ),
        })
    });
    engine.register_fn(
        "fee_amount",
        |ctx: NativeCallContext, code: &str| -> Res<f64> {
            with(&ctx, |run| {
                Ok(dated_fee(run, code, ctx.call_position())? as f64 / 100.0)
            })
        },
    );

    // Reporting.
    fn incomplete(
        ctx: NativeCallContext,
        p: Person,
        path: &str,
        msg: Dynamic,
        vars: Option<Map>,
    ) -> Res<()> {
        report(&ctx, |run, src| {
            check_person(run, &p, ctx.call_position())?;
            check_path(run, path, ctx.call_position())?;
            let text = message(run, &ctx, &msg, vars.as_ref())?;
            run.reports.borrow_mut().incomplete.push(Reported {
                item: (p.index, path.to_string(), text),
                source: src,
            });
            Ok(())
        })
    }
    engine.register_fn(
        "incomplete",
        |ctx: NativeCallContext, p: Person, path: &str, msg: Dynamic| {
            incomplete(ctx, p, path, msg, None)
        },
    );
    engine.register_fn(
        "incomplete",
        |ctx: NativeCallContext, p: Person, path: &str, msg: Dynamic, vars: Map| {
            incomplete(ctx, p, path, msg, Some(vars))
        },
    );

    fn text_report(
        ctx: NativeCallContext,
        msg: Dynamic,
        vars: Option<Map>,
        push: fn(&mut super::state::Reports, Reported<Message>),
    ) -> Res<()> {
        report(&ctx, |run, src| {
            let text = message(run, &ctx, &msg, vars.as_ref())?;
            push(
                &mut run.reports.borrow_mut(),
                Reported {
                    item: text,
                    source: src,
                },
            );
            Ok(())
        })
    }
    macro_rules! text_fn {
        ($name:literal, $field:ident) => {
            engine.register_fn($name, |ctx: NativeCallContext, msg: Dynamic| {
                text_report(ctx, msg, None, |r, x| r.$field.push(x))
            });
            engine.register_fn($name, |ctx: NativeCallContext, msg: Dynamic, vars: Map| {
                text_report(ctx, msg, Some(vars), |r, x| r.$field.push(x))
            });
        };
    }
    text_fn!("ineligible", ineligible);
    text_fn!("paper_only", paper_only);
    text_fn!("warn", warnings);

    fn fee(
        ctx: NativeCallContext,
        person: Option<Person>,
        code: &str,
        amount: Option<Dynamic>,
    ) -> Res<()> {
        report(&ctx, |run, src| {
            let pos = ctx.call_position();
            if let Some(p) = &person {
                check_person(run, p, pos)?;
            }
            // The code must be a fee of the manifest even when the amount is given.
            let dated = dated_fee(run, code, pos);
            let cents = match amount {
                Some(a) => amount_to_cents(&a, pos)?,
                None => dated?,
            };
            run.reports.borrow_mut().fees.push(Reported {
                item: (person.map(|p| p.index), code.to_string(), cents),
                source: src,
            });
            Ok(())
        })
    }
    engine.register_fn("fee", |ctx: NativeCallContext, code: &str| {
        fee(ctx, None, code, None)
    });
    engine.register_fn(
        "fee",
        |ctx: NativeCallContext, code: &str, amount: Dynamic| fee(ctx, None, code, Some(amount)),
    );
    engine.register_fn(
        "fee_for",
        |ctx: NativeCallContext, p: Person, code: &str| fee(ctx, Some(p), code, None),
    );
    engine.register_fn(
        "fee_for",
        |ctx: NativeCallContext, p: Person, code: &str, amount: Dynamic| {
            fee(ctx, Some(p), code, Some(amount))
        },
    );

    fn waive(
        ctx: NativeCallContext,
        person: Option<Person>,
        code: &str,
        msg: Dynamic,
        vars: Option<Map>,
    ) -> Res<()> {
        report(&ctx, |run, src| {
            if let Some(p) = &person {
                check_person(run, p, ctx.call_position())?;
            }
            if !run.program.manifest.fees.iter().any(|f| f.code == code) {
                return err(format!("unknown fee `{code}`"), ctx.call_position());
            }
            let text = message(run, &ctx, &msg, vars.as_ref())?;
            run.reports.borrow_mut().waivers.push(Reported {
                item: (person.map(|p| p.index), code.to_string(), text),
                source: src,
            });
            Ok(())
        })
    }
    engine.register_fn(
        "waive",
        |ctx: NativeCallContext, code: &str, msg: Dynamic| waive(ctx, None, code, msg, None),
    );
    engine.register_fn(
        "waive",
        |ctx: NativeCallContext, code: &str, msg: Dynamic, vars: Map| {
            waive(ctx, None, code, msg, Some(vars))
        },
    );
    engine.register_fn(
        "waive_for",
        |ctx: NativeCallContext, p: Person, code: &str, msg: Dynamic| {
            waive(ctx, Some(p), code, msg, None)
        },
    );
    engine.register_fn(
        "waive_for",
        |ctx: NativeCallContext, p: Person, code: &str, msg: Dynamic, vars: Map| {
            waive(ctx, Some(p), code, msg, Some(vars))
        },
    );
    engine.register_fn(
        "data",
        |ctx: NativeCallContext, name: &str| -> Res<Dynamic> {
            with(&ctx, |run| match run.program.manifest.data.get(name) {
                Some(v) => Ok(to_dynamic(v)),
                None => err(
                    format!(
                        "unknown data `{name}`: add it to the \"data\" of {}",
                        run.program.file.display()
                    ),
                    ctx.call_position(),
                ),
            })
        },
    );
    engine.register_fn(
        "code_title",
        |ctx: NativeCallContext, table: &str, code: Dynamic| -> Res<Dynamic> {
            with(&ctx, |run| {
                let code = code.into_immutable_string().unwrap_or_default();
                match run.program.code_title(table, &code) {
                    Ok(Some(t)) => {
                        let mut m = Map::new();
                        m.insert("en".into(), t.en.into());
                        m.insert("fr".into(), t.fr.into());
                        Ok(Dynamic::from_map(m))
                    }
                    Ok(None) => Ok(Dynamic::UNIT),
                    Err(e) => err(e, ctx.call_position()),
                }
            })
        },
    );
    engine.register_fn("program", |ctx: NativeCallContext| -> Res<String> {
        with(&ctx, |run| Ok(run.program.id().to_string()))
    });

    engine.register_fn("require_document", |ctx: NativeCallContext, code: &str| -> Res<()> {
        report(&ctx, |run, src| {
            if !run.program.manifest.documents.iter().any(|d| d.code == code) {
                return err(format!("unknown document `{code}`: add it to the \"documents\" of the manifest"), ctx.call_position());
            }
            run.reports.borrow_mut().documents.push(Reported {
                item: code.to_string(),
                source: src,
            });
            Ok(())
        })
    });
    engine.register_fn(
        "require_form",
        |ctx: NativeCallContext, p: Person, form: &str| -> Res<()> {
            report(&ctx, |run, src| {
                check_person(run, &p, ctx.call_position())?;
                if !run.program.manifest.forms.iter().any(|f| f.form == form) {
                    return err(
                        format!("form `{form}` is not among the forms of the manifest"),
                        ctx.call_position(),
                    );
                }
                run.reports.borrow_mut().forms.push(Reported {
                    item: (p.index, form.to_string()),
                    source: src,
                });
                Ok(())
            })
        },
    );
    engine.register_fn(
        "also_create",
        |ctx: NativeCallContext, program: &str| -> Res<()> {
            report(&ctx, |run, src| {
                run.reports.borrow_mut().create.push(Reported {
                    item: program.to_string(),
                    source: src,
                });
                Ok(())
            })
        },
    );

    super::primitives::register(engine);
}
