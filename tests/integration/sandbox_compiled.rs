//! Java, C++ and C# in the sandbox: compiled there, under the same limits, with
//! the compiler's complaints said against the candidate's own lines, and
//! the ways compiled code fails (a missing function, a crash, a loop, an
//! exception) each reported as what it is. Needs a JDK, g++ and Mono (CI
//! installs them); without them these fail rather than skip.

use mockloop::config::{Bounded, SandboxConfig};
use mockloop::content::CodeLanguage;
use mockloop::sandbox::{RunStatus, Sandbox, TestRun};

use crate::sandbox::{case_errors, run_in, sandbox, sandbox_config};

pub const JAVA_CORRECT: &str =
    include_str!("../fixtures/solutions/coding-subarray-sum-equals-k.java");
const CPP_CORRECT: &str = include_str!("../fixtures/solutions/coding-subarray-sum-equals-k.cpp");
const CSHARP_CORRECT: &str = include_str!("../fixtures/solutions/coding-subarray-sum-equals-k.cs");

async fn run(language: CodeLanguage, code: &str) -> TestRun {
    run_in(&sandbox(), language, code).await
}

fn message(run: &TestRun) -> String {
    run.message.clone().unwrap_or_default()
}

#[tokio::test]
async fn correct_java_cpp_and_csharp_pass_every_case_and_their_prints_are_kept_per_case() {
    for (language, code) in [
        (CodeLanguage::Java, JAVA_CORRECT.replace("return count;", "System.out.println(\"n=\" + nums.length);\n        return count;")),
        (CodeLanguage::Cpp, CPP_CORRECT.replace("return count;", "cout << \"n=\" << nums.size() << endl;\n    printf(\"done\\n\");\n    return count;")),
        (CodeLanguage::Csharp, CSHARP_CORRECT.replace("return count;", "System.Console.WriteLine(\"n=\" + nums.Length);\n        return count;")),
    ] {
        let run = run(language, &code).await;
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
        assert_eq!((run.passed, run.total), (7, 7), "{run:?}");
        let first = &run.cases[0];
        let n = first.args.as_ref().unwrap()[0].as_array().unwrap().len();
        assert!(first.output.starts_with(&format!("n={n}\n")), "{language}: {first:?}");
        if language == CodeLanguage::Cpp {
            assert!(first.output.ends_with("done\n"), "printf is kept too: {first:?}");
        }
    }
}

#[tokio::test]
async fn a_compile_error_names_the_line_in_the_candidates_file() {
    let java = "class Solution {\n    public int countSubarrays(int[] nums, int k) {\n        return nums.length\n    }\n}\n";
    let run = run(CodeLanguage::Java, java).await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        message(&run).starts_with("did not compile: line 3: ';' expected"),
        "{run:?}"
    );
    assert!(
        run.output.contains("Solution.java:3"),
        "all of javac's output: {run:?}"
    );
    assert!(!run.output.contains("/sandbox/"), "{run:?}");

    // g++ places a missing semicolon at the next statement.
    let cpp = "int countSubarrays(vector<int>& nums, int k) {\n    int n = nums.size()\n    return n;\n}\n";
    let run = self::run(CodeLanguage::Cpp, cpp).await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        message(&run).starts_with("did not compile: line 3: expected"),
        "{run:?}"
    );
    assert!(
        run.cases
            .iter()
            .all(|c| !c.passed && c.error.as_deref() == Some("not run"))
    );

    let csharp = "public class Solution {\n    public int CountSubarrays(int[] nums, int k) {\n        return nums.Length\n    }\n}\n";
    let run = self::run(CodeLanguage::Csharp, csharp).await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        message(&run).starts_with("did not compile: line 4: Unexpected symbol"),
        "{run:?}"
    );
}

#[tokio::test]
async fn a_missing_function_or_a_parameter_the_tests_cannot_pass_says_so() {
    let run = run(
        CodeLanguage::Cpp,
        "int count(vector<int>& nums, int k) { return 0; }\n",
    )
    .await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        message(&run).contains("no function named countSubarrays"),
        "{run:?}"
    );

    let run = self::run(
        CodeLanguage::Cpp,
        "int countSubarrays(set<int> nums, int k) { return 0; }\n",
    )
    .await;
    assert!(
        message(&run).contains("cannot pass one of countSubarrays's parameter types"),
        "{run:?}"
    );

    let run = self::run(
        CodeLanguage::Java,
        "class Solution {\n    public int count(int[] nums, int k) { return 0; }\n}\n",
    )
    .await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        message(&run).contains("no method named countSubarrays"),
        "{run:?}"
    );

    // The right name with the wrong types fails each case and says why.
    let run = self::run(
        CodeLanguage::Java,
        "class Solution {\n    public int countSubarrays(String nums, int k) { return 0; }\n}\n",
    )
    .await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(
        case_errors(&run).contains("argument 1: expected a string"),
        "{run:?}"
    );
}

#[tokio::test]
async fn an_exception_fails_its_case_with_the_line_and_the_rest_still_run() {
    let java = "class Solution {\n    public int countSubarrays(int[] nums, int k) {\n        if (nums.length == 0) throw new IllegalStateException(\"empty\");\n        return nums[nums.length];\n    }\n}\n";
    let run = self::run(CodeLanguage::Java, java).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(
        case_errors(&run).contains("ArrayIndexOutOfBoundsException"),
        "{run:?}"
    );
    assert!(case_errors(&run).contains("(line 4)"), "{run:?}");

    let cpp =
        "int countSubarrays(vector<int>& nums, int k) {\n    return nums.at(nums.size());\n}\n";
    let run = self::run(CodeLanguage::Cpp, cpp).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(
        case_errors(&run).contains("exception: vector::_M_range_check"),
        "{run:?}"
    );
}

#[tokio::test]
async fn a_crash_a_loop_and_a_memory_hog_are_each_stopped_and_named() {
    let segfault = "int countSubarrays(vector<int>& nums, int k) {\n    int* p = nullptr;\n    return *p + k;\n}\n";
    let run = self::run(CodeLanguage::Cpp, segfault).await;
    assert_eq!(run.status, RunStatus::Crashed, "{run:?}");
    assert!(message(&run).contains("segmentation fault"), "{run:?}");

    let java_loop = "class Solution {\n    public int countSubarrays(int[] nums, int k) {\n        long x = 0;\n        while (true) { x++; }\n    }\n}\n";
    let run = self::run(CodeLanguage::Java, java_loop).await;
    assert!(
        matches!(run.status, RunStatus::TimedOut | RunStatus::Crashed),
        "{run:?}"
    );
    assert_eq!(run.passed, 0);

    let hog = "int countSubarrays(vector<int>& nums, int k) {\n    vector<vector<char>> keep;\n    while (true) keep.emplace_back(64 << 20, 1);\n}\n";
    let run = self::run(CodeLanguage::Cpp, hog).await;
    assert_eq!(run.status, RunStatus::Crashed, "{run:?}");
    assert!(message(&run).contains("memory"), "{run:?}");
}

/// g++ spends more than a CPU second on the standard headers alone: the
/// compile has its own budget (`compile_seconds`), and the candidate's
/// program still stops at the configured CPU second. Had the program kept
/// the compile's budget, the wall clock would have stopped it instead.
#[tokio::test]
async fn the_compile_has_its_own_cpu_budget_and_the_program_only_the_run_s() {
    let sandbox = Sandbox::new(SandboxConfig {
        cpu_seconds: Bounded::new(1).unwrap(),
        wall_seconds: Bounded::new(1).unwrap(),
        ..sandbox_config()
    });
    let run = run_in(&sandbox, CodeLanguage::Cpp, CPP_CORRECT).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!((run.passed, run.total), (7, 7), "{run:?}");

    let spin = "int countSubarrays(vector<int>& nums, int k) {\n    volatile long x = 0;\n    while (true) x++;\n}\n";
    let run = run_in(&sandbox, CodeLanguage::Cpp, spin).await;
    assert_eq!(run.status, RunStatus::Crashed, "{run:?}");
    assert!(message(&run).contains("CPU-time"), "{run:?}");
}
