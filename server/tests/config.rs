//! The configuration through its loader: a file, the environment and flags, in that
//! order of precedence, and a bad file's error naming the file, the line and the key.

use server::config::Config;

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("intake-ops-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const FILE: &str = r#"# a test configuration
address = "127.0.0.1:9999"
data = "/tmp/intake-from-file"
dev_pages = true

[smtp]
host = "smtp.example.org"
port = 2525
from = "Intake <no-reply@example.org>"
tls = "tls"

[[maintenance]]
from = "2026-12-01T02:00:00Z"
to = "2026-12-01T04:00:00Z"
message_en = "Moving to a new server."
"#;

#[test]
fn the_file_gives_what_flags_and_environment_do_not() {
    let path = temp_file("intake.toml", FILE);
    let c = Config::try_load_from(["intake-server", "--config", path.to_str().unwrap()]).unwrap();
    assert_eq!(c.address.to_string(), "127.0.0.1:9999");
    assert_eq!(c.data, std::path::PathBuf::from("/tmp/intake-from-file"));
    assert!(c.dev_pages);
    // A key the file does not give keeps its default.
    assert_eq!(c.programs, std::path::PathBuf::from("programs"));
    let smtp = c.smtp().unwrap();
    assert_eq!((smtp.host.as_str(), smtp.port), ("smtp.example.org", 2525));
    assert_eq!(c.maintenance.len(), 1);
    assert_eq!(c.maintenance[0].to - c.maintenance[0].from, 7200);
    assert_eq!(
        c.maintenance[0].message_en.as_deref(),
        Some("Moving to a new server.")
    );

    // A flag wins over the file.
    let c = Config::try_load_from([
        "intake-server",
        "--config",
        path.to_str().unwrap(),
        "--address",
        "127.0.0.1:7777",
        "--smtp-port",
        "2727",
    ])
    .unwrap();
    assert_eq!(c.address.to_string(), "127.0.0.1:7777");
    assert_eq!(c.smtp().unwrap().port, 2727);
}

/// The environment sits between the flags and the file. Setting variables while other tests
/// run is not safe, so this runs itself again in a child process with them set.
#[test]
fn the_environment_wins_over_the_file_and_loses_to_flags() {
    let path = temp_file("intake-env.toml", FILE);
    if std::env::var_os("INTAKE_OPS_CHILD").is_some() {
        let c = Config::try_load_from(["intake-server"]).unwrap();
        assert_eq!(
            c.address.to_string(),
            "127.0.0.1:6666",
            "environment over file"
        );
        assert_eq!(c.smtp().unwrap().port, 2525, "file over default");
        let c = Config::try_load_from(["intake-server", "--address", "127.0.0.1:5555"]).unwrap();
        assert_eq!(
            c.address.to_string(),
            "127.0.0.1:5555",
            "flag over environment"
        );
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_environment_wins_over_the_file_and_loses_to_flags",
            "--nocapture",
        ])
        .env("INTAKE_OPS_CHILD", "1")
        .env("INTAKE_CONFIG", &path)
        .env("INTAKE_ADDRESS", "127.0.0.1:6666")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
fn a_bad_file_names_the_file_the_line_and_the_key() {
    let check = |name: &str, text: &str, wants: &[&str]| {
        let path = temp_file(name, text);
        let e = Config::try_load_from(["intake-server", "--config", path.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains(path.to_str().unwrap()), "{e}");
        for w in wants {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
    };
    check(
        "unknown.toml",
        "data = \"d\"\nadress = \"x\"\n",
        &[":2", "adress"],
    );
    check(
        "type.toml",
        "\n\n[smtp]\nhost = \"h\"\nport = \"x\"\n",
        &[":5", "`port`"],
    );
    check(
        "window.toml",
        "[[maintenance]]\nfrom = \"tomorrow\"\nto = \"2026-12-01T04:00:00Z\"\n",
        &[":2", "maintenance[0]", "RFC 3339"],
    );
    let missing = Config::try_load_from(["intake-server", "--config", "/nonexistent/intake.toml"])
        .unwrap_err()
        .to_string();
    assert!(missing.contains("/nonexistent/intake.toml"), "{missing}");
}
