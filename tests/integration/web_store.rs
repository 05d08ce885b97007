//! The browser app's store and reducer (`web/js/store.js`, `reduce*.js`)
//! under node's own test runner: `tests/web/*.test.mjs` give a state and an
//! action and check the state and effects that come back. Needs node; a
//! missing node fails the test with the way to get it, as the browser tests
//! do, because a pass must mean the checks ran.

use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL_HINT: &str = "run `cargo xtask setup test`, or `apt-get install -y nodejs`";

fn test_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".test.mjs")))
        .collect();
    files.sort();
    files
}

/// The number after `# <name> ` in node's TAP summary.
fn count(output: &str, name: &str) -> Option<u64> {
    output
        .lines()
        .find_map(|l| l.strip_prefix(&format!("# {name} ")))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn the_reducer_and_store_pass_their_node_tests() {
    let files = test_files();
    assert!(files.len() >= 2, "the tests in tests/web/: {files:?}");
    let output = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=tap")
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("the reducer's tests need node ({e}); {INSTALL_HINT}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node --test failed:\n{stdout}\n{stderr}"
    );
    // A run that found no tests would pass too: count them.
    let passed = count(&stdout, "pass").expect("node's summary");
    assert!(passed >= 30, "only {passed} tests ran:\n{stdout}");
    assert_eq!(count(&stdout, "fail"), Some(0), "{stdout}");
}
