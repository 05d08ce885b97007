//! What each language puts in the run's directory and which program starts
//! it. Python and JavaScript load the candidate's file into a harness in
//! the same language; Java, C++ and C# are compiled inside the sandbox first,
//! by a small shell step that reports a failed compile as one line the
//! server reads (`compile_error`) with the compiler's messages on stderr.

use crate::config::SandboxConfig;
use crate::content::CodeLanguage;

use super::command::CODE_DIR;

const HARNESS_PY: &str = include_str!("harness.py");
const HARNESS_JS: &str = include_str!("harness.js");
const HARNESS_JAVA: &str = include_str!("Harness.java");
const HARNESS_CPP: &str = include_str!("harness.cpp");
const HARNESS_CS: &str = include_str!("Harness.cs");

/// The JVM's defaults reserve gigabytes of address space (a class space,
/// a code cache, a heap sized from the host's memory), more than a run's
/// memory limit; these keep it to a few hundred megabytes, and one
/// compiler thread keeps it inside the process limit and quick to start.
const JVM_FLAGS: &str = "-Xmx256m -Xss16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
     -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=32m -XX:CompressedClassSpaceSize=32m \
     -XX:MaxMetaspaceSize=128m -XX:-UsePerfData";

/// Compile, and on failure say so in one line the server reads (the
/// compiler's own messages go to stderr, bounded), else run. `$1` is the
/// run's nonce; the compile and run commands follow as `$2` and `$3`, and
/// `$4` is the program's CPU limit: the compiler runs under the larger
/// limit the sandbox set, and the program only under the configured one.
/// glibc gives each thread that allocates an arena of 64 MiB of address
/// space; the JVM's dozen threads would spend a run's whole memory limit
/// on them, so two arenas are shared.
const COMPILE_THEN_RUN: &str = "export MALLOC_ARENA_MAX=2; \
     eval \"$2\" >/tmp/.compile 2>&1 || { \
     printf '%s {\"kind\": \"compile_error\"}\\n' \"$1\"; head -c 16384 /tmp/.compile >&2; exit 1; }; \
     ulimit -t \"$4\" && eval \"exec $3\"";

/// The files one run writes and the command that runs them.
pub(super) struct Launch {
    pub files: Vec<(&'static str, String)>,
    pub argv: Vec<String>,
    /// Whether a compile step comes first (it gets `compile_seconds` more
    /// CPU and wall-clock time than the run).
    pub compiles: bool,
}

/// The run of `code` against the cases in `input.json`.
pub(super) fn tests(
    config: &SandboxConfig,
    language: CodeLanguage,
    code: &str,
    function: &str,
    nonce: &str,
) -> Launch {
    let harness = |name: &str| format!("{CODE_DIR}/{name}");
    match language {
        CodeLanguage::Python => Launch {
            files: vec![
                ("solution.py", code.to_owned()),
                ("harness.py", HARNESS_PY.to_owned()),
            ],
            argv: vec![
                config.python.clone(),
                "-I".into(),
                "-B".into(),
                "-X".into(),
                "utf8".into(),
                harness("harness.py"),
            ],
            compiles: false,
        },
        CodeLanguage::Javascript => Launch {
            files: vec![
                (
                    // The candidate writes a plain function; the module exports it.
                    "solution.js",
                    format!(
                        "{code}\n;module.exports = (typeof {function} === 'function') ? {function} : undefined;\n"
                    ),
                ),
                ("harness.js", HARNESS_JS.to_owned()),
            ],
            argv: vec![config.node.clone(), harness("harness.js")],
            compiles: false,
        },
        CodeLanguage::Java => Launch {
            files: vec![
                ("Solution.java", code.to_owned()),
                ("Harness.java", HARNESS_JAVA.to_owned()),
            ],
            argv: java(config, nonce),
            compiles: true,
        },
        CodeLanguage::Cpp => Launch {
            files: vec![
                ("solution.cpp", code.to_owned()),
                ("harness.cpp", HARNESS_CPP.to_owned()),
            ],
            argv: cpp(config, nonce, function),
            compiles: true,
        },
        CodeLanguage::Csharp => Launch {
            files: vec![
                ("Solution.cs", code.to_owned()),
                ("Harness.cs", HARNESS_CS.to_owned()),
            ],
            argv: csharp(config, nonce),
            compiles: true,
        },
    }
}

/// A program that prints 42, run the way `tests` runs code: for Java and
/// C++ through the same compiler, so a missing JDK or standard library
/// shows up here and not in a candidate's run.
pub(super) fn probe(config: &SandboxConfig, language: CodeLanguage) -> Launch {
    match language {
        CodeLanguage::Python => Launch {
            files: Vec::new(),
            argv: vec![config.python.clone(), "-c".into(), "print(6 * 7)".into()],
            compiles: false,
        },
        CodeLanguage::Javascript => Launch {
            files: Vec::new(),
            argv: vec![
                config.node.clone(),
                "-e".into(),
                "console.log(6 * 7)".into(),
            ],
            compiles: false,
        },
        CodeLanguage::Java => Launch {
            files: vec![
                ("Solution.java", "class Solution {}\n".into()),
                (
                    "Harness.java",
                    "public class Harness { public static void main(String[] a) { \
                     System.out.println(6 * 7); } }\n"
                        .into(),
                ),
            ],
            argv: java(config, "probe"),
            compiles: true,
        },
        CodeLanguage::Cpp => Launch {
            files: vec![
                ("solution.cpp", String::new()),
                (
                    "harness.cpp",
                    "#include <bits/stdc++.h>\nint main() { std::cout << 6 * 7 << std::endl; }\n"
                        .into(),
                ),
            ],
            argv: cpp(config, "probe", "main"),
            compiles: true,
        },
        CodeLanguage::Csharp => Launch {
            files: vec![
                ("Solution.cs", "public class Solution {}\n".into()),
                (
                    "Harness.cs",
                    "public static class Probe { public static void Main() { \
                     System.Console.WriteLine(6 * 7); } }\n"
                        .into(),
                ),
            ],
            argv: csharp(config, "probe"),
            compiles: true,
        },
    }
}

fn java(config: &SandboxConfig, nonce: &str) -> Vec<String> {
    let jvm = |prefix: &str| {
        JVM_FLAGS
            .split_whitespace()
            .map(|f| format!("{prefix}{f}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let compile = format!(
        "{} {} -nowarn -encoding UTF-8 -d /tmp/classes {CODE_DIR}/Solution.java {CODE_DIR}/Harness.java",
        quoted(&config.javac),
        jvm("-J"),
    );
    let run = format!(
        "{} {} -Dfile.encoding=UTF-8 -cp /tmp/classes Harness",
        quoted(&config.java),
        jvm(""),
    );
    compile_then_run(config, nonce, compile, run)
}

fn cpp(config: &SandboxConfig, nonce: &str, function: &str) -> Vec<String> {
    // `function` is an identifier (checked when the question loaded).
    let compile = format!(
        "{} -std=c++17 -O1 -pipe -w -fmax-errors=10 -DMOCKLOOP_FUNCTION={function} \
         -o /tmp/solution {CODE_DIR}/harness.cpp",
        quoted(&config.cxx),
    );
    compile_then_run(config, nonce, compile, "/tmp/solution".into())
}

fn csharp(config: &SandboxConfig, nonce: &str) -> Vec<String> {
    // Debug information gives exceptions the candidate's line numbers.
    let compile = format!(
        "{} -debug -nowarn:0162,0168,0219 -out:/tmp/solution.exe \
         {CODE_DIR}/Solution.cs {CODE_DIR}/Harness.cs",
        quoted(&config.mcs),
    );
    let run = format!("{} --debug /tmp/solution.exe", quoted(&config.mono));
    compile_then_run(config, nonce, compile, run)
}

fn compile_then_run(
    config: &SandboxConfig,
    nonce: &str,
    compile: String,
    run: String,
) -> Vec<String> {
    vec![
        "/bin/sh".into(),
        "-c".into(),
        COMPILE_THEN_RUN.into(),
        "sh".into(),
        nonce.into(),
        compile,
        run,
        config.cpu_seconds.get().to_string(),
    ]
}

/// A path from the configuration as one shell word.
fn quoted(path: &str) -> String {
    format!("'{}'", path.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_path_with_a_quote_stays_one_word() {
        assert_eq!(quoted("/opt/it's/javac"), r"'/opt/it'\''s/javac'");
    }

    #[test]
    fn compiled_languages_compile_then_exec_and_name_the_nonce() {
        let config = SandboxConfig::default();
        let launch = tests(
            &config,
            CodeLanguage::Cpp,
            "int f() { return 1; }",
            "f",
            "abc",
        );
        assert_eq!(launch.argv[..2], ["/bin/sh", "-c"]);
        assert_eq!(launch.argv[4], "abc");
        assert!(
            launch.argv[5].contains("-DMOCKLOOP_FUNCTION=f "),
            "{}",
            launch.argv[5]
        );
        assert_eq!(launch.argv[6], "/tmp/solution");
        // The program runs under the configured CPU limit, the compiler not.
        assert!(launch.compiles);
        assert_eq!(launch.argv[7], "5");
        assert!(launch.argv[2].contains("ulimit -t \"$4\" && eval \"exec $3\""));
        let names: Vec<_> = launch.files.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["solution.cpp", "harness.cpp"]);
        let java = tests(&config, CodeLanguage::Java, "class Solution {}", "f", "abc");
        assert!(
            java.argv[5].starts_with("'javac' -J-Xmx256m"),
            "{}",
            java.argv[5]
        );
        assert!(
            java.argv[6].ends_with("-cp /tmp/classes Harness"),
            "{}",
            java.argv[6]
        );
    }
}
