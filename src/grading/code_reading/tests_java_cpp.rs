use super::*;

macro_rules! solutions {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../tests/fixtures/solutions/", $name)))),*]
    };
}

const JAVA: &[(&str, &str)] = solutions!(
    "coding-coin-change.java",
    "coding-course-schedule-order.java",
    "coding-lru-cache.java",
    "coding-min-meeting-rooms.java",
    "coding-network-delay-time.java",
    "coding-number-of-islands.java",
    "coding-subarray-sum-equals-k.java",
    "coding-three-sum.java",
    "coding-top-k-frequent-words.java",
    "coding-trapping-rain-water.java",
    "coding-balanced-brackets.java",
    "coding-compare-versions.java",
    "coding-rate-limiter.java",
    "coding-ship-within-days.java",
    "coding-decode-string.java",
    "coding-versioned-kv-store.java",
    "coding-accounts-merge.java",
    "coding-basic-calculator.java",
    "coding-sliding-window-maximum.java",
    "coding-merge-k-sorted.java",
);

const CPP: &[(&str, &str)] = solutions!(
    "coding-coin-change.cpp",
    "coding-course-schedule-order.cpp",
    "coding-lru-cache.cpp",
    "coding-min-meeting-rooms.cpp",
    "coding-network-delay-time.cpp",
    "coding-number-of-islands.cpp",
    "coding-subarray-sum-equals-k.cpp",
    "coding-three-sum.cpp",
    "coding-top-k-frequent-words.cpp",
    "coding-trapping-rain-water.cpp",
    "coding-balanced-brackets.cpp",
    "coding-compare-versions.cpp",
    "coding-rate-limiter.cpp",
    "coding-ship-within-days.cpp",
    "coding-decode-string.cpp",
    "coding-versioned-kv-store.cpp",
    "coding-accounts-merge.cpp",
    "coding-basic-calculator.cpp",
    "coding-sliding-window-maximum.cpp",
    "coding-merge-k-sorted.cpp",
);

fn mentions(reading: &Reading, needle: &str) -> bool {
    reading.findings.iter().any(|f| f.contains(needle))
}

/// (file, functions): Java counts methods and constructors, not the
/// `class Solution` around them; C++ counts lambdas with their blocks.
const JAVA_FUNCTIONS: &[(&str, usize)] = &[
    ("coding-coin-change.java", 1),
    ("coding-lru-cache.java", 3),
    ("coding-number-of-islands.java", 2),
    ("coding-three-sum.java", 1),
];
const CPP_FUNCTIONS: &[(&str, usize)] = &[
    ("coding-coin-change.cpp", 1),
    ("coding-lru-cache.cpp", 4),
    ("coding-top-k-frequent-words.cpp", 2),
    ("coding-three-sum.cpp", 1),
];

/// Reference solutions the Python and JavaScript versions of which read
/// as 2 (three-sum, number of islands: complexity and nesting), or that
/// name a loop variable `c` or `p`, are held to the same rules here: no
/// level is promised for them beyond parsing.
const BELOW_3: &[&str] = &[
    "coding-course-schedule-order",
    "coding-network-delay-time",
    "coding-number-of-islands",
    "coding-three-sum",
];

#[test]
fn reference_solutions_parse_and_the_clean_ones_read_as_3_or_4() {
    for (lang, set, counts) in [
        (Lang::Java, JAVA, JAVA_FUNCTIONS),
        (Lang::Cpp, CPP, CPP_FUNCTIONS),
    ] {
        for (name, code) in set {
            let r = read(lang, code);
            assert!(r.parses, "{name}: {r:#?}");
            assert!(!mentions(&r, "does not parse"), "{name}");
            assert!(r.functions >= 1, "{name}: {r:#?}");
            let stem = name.rsplit_once('.').unwrap().0;
            if !BELOW_3.contains(&stem) {
                assert!(r.level >= 3, "{name}: {r:#?}");
            }
            assert!(r.level >= 2, "{name}: {r:#?}");
            if let Some((_, n)) = counts.iter().find(|(file, _)| file == name) {
                assert_eq!(r.functions, *n, "{name}: {r:#?}");
            }
        }
    }
}

#[test]
fn a_java_class_solution_wrapper_is_not_a_function_or_top_level_code() {
    let (_, code) = JAVA[2];
    let r = read(Lang::Java, code);
    assert_eq!(r.level, 4, "{r:#?}");
    assert!(!mentions(&r, "top-level"), "{:?}", r.findings);
    assert!(
        r.strengths
            .contains(&"No dead code: every variable is used.".to_string()),
        "imports are not checked in Java, so none is claimed used: {:?}",
        r.strengths
    );
}

#[test]
fn broken_java_and_cpp_do_not_parse_and_say_so() {
    let java = "\
class Solution {
    public int total(int[] nums) {
        int sum = 0
        for (int x : nums {
            sum += x;
        return sum;
    }
";
    let cpp = "\
int total(vector<int>& nums) {
    int sum = 0
    for (int x : nums {
        sum += x;
    return sum
}
";
    for (lang, code) in [(Lang::Java, java), (Lang::Cpp, cpp)] {
        let r = read(lang, code);
        assert!(!r.parses, "{lang:?}");
        assert_eq!(r.level, 1, "{lang:?}: {r:#?}");
        assert!(mentions(&r, "does not parse"), "{lang:?}: {:?}", r.findings);
    }
}

/// 60 lines of one function, nested five deep, `tmp` assigned and never
/// read, and a statement after `return`: `{body}` is the same in both.
fn bad_body() -> String {
    let mut body = String::from(
        "        int tmp = 0;
        int total = 0;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                for (int j = 0; j < n; j++) {
                    if (j % 3 == 0) {
                        while (total < j) {
                            total += j;
                        }
                    }
                }
            }
        }
",
    );
    for step in 0..45 {
        body.push_str(&format!("        total += {step};\n"));
    }
    body.push_str("        return total;\n        total = 0;\n");
    body
}

#[test]
fn a_long_deep_careless_function_gets_each_finding_in_java_and_cpp() {
    let body = bad_body();
    let java = format!("class Solution {{\n    public int work(int n) {{\n{body}    }}\n}}\n");
    let cpp = format!("int work(int n) {{\n{body}}}\n");
    for (lang, code) in [(Lang::Java, java), (Lang::Cpp, cpp)] {
        let r = read(lang, &code);
        assert!(r.parses, "{lang:?}: {r:#?}");
        assert_eq!(r.functions, 1);
        assert!(r.longest_function >= 60, "{lang:?}: {r:#?}");
        assert_eq!(r.max_nesting, 5, "{lang:?}");
        assert_eq!(r.unused, vec!["tmp"], "{lang:?}");
        assert_eq!(r.vague_names, vec!["tmp"], "{lang:?}");
        assert_eq!(r.unreachable, 1, "{lang:?}");
        assert_eq!(r.level, 2, "{lang:?}");
        assert!(mentions(&r, "`work` is"), "{lang:?}: {:?}", r.findings);
        assert!(mentions(&r, "nests control flow 5 levels deep"), "{lang:?}");
        assert!(mentions(&r, "`tmp` is assigned but never read"), "{lang:?}");
        assert!(
            mentions(&r, "the statement after `return` never runs"),
            "{lang:?}"
        );
    }
}

#[test]
fn java_and_cpp_branches_else_if_lambdas_and_magic_numbers() {
    let java = "\
class Solution {
    public int pick(int a, int[] xs) {
        if (a > 0) {
            return 1;
        } else if (a < 0 && xs.length > 0) {
            return 2;
        }
        xs = java.util.Arrays.stream(xs).map(x -> x > 1 ? x : 1000000).toArray();
        switch (a) {
            case 1: return 3;
            default: return 4;
        }
    }
}
";
    let r = read(Lang::Java, java);
    assert!(r.parses, "{r:#?}");
    assert_eq!(r.functions, 1, "an expression lambda is not a function");
    // if, else if, &&, ternary, case 1.
    assert_eq!(r.max_complexity, 6, "{r:#?}");
    assert_eq!(r.max_nesting, 1, "`else if` is not one level deeper");
    assert_eq!(r.magic_numbers, vec!["1000000"]);

    let cpp = "\
int pick(int a, vector<int>& xs) {
    const long long LIMIT = 1000000007LL;
    if (a > 0) {
        return 1;
    } else if (a < 0 || xs.empty()) {
        return 2;
    }
    sort(xs.begin(), xs.end(), [](int l, int r) { return l < r; });
    return a % 1000000007 == 0 ? LIMIT : 0;
}
";
    let r = read(Lang::Cpp, cpp);
    assert!(r.parses, "{r:#?}");
    assert_eq!(r.functions, 2, "a C++ lambda has a block body");
    assert_eq!(r.max_complexity, 5, "{r:#?}");
    assert_eq!(r.max_nesting, 1);
    assert_eq!(
        r.magic_numbers,
        vec!["1000000007"],
        "the named one is not magic"
    );
}

#[test]
fn cpp_vector_sized_by_a_local_does_not_make_the_local_unused() {
    let cpp = "\
int count(int n) {
    int rows = n * 2;
    vector<int> seen(rows);
    return seen.size();
}
";
    let r = read(Lang::Cpp, cpp);
    assert!(r.unused.is_empty(), "{r:#?}");
}

const NOTES: &str = "I keep a running prefix sum and a map from each prefix to how often it \
occurred, so each step adds the count of prefix minus k.";

#[test]
fn fence_tags_name_java_and_cpp() {
    let (_, java) = JAVA[6];
    let (_, cpp) = CPP[6];
    for (tag, body, lang) in [
        ("java", java, Lang::Java),
        ("cpp", cpp, Lang::Cpp),
        ("c++", cpp, Lang::Cpp),
        ("C++", cpp, Lang::Cpp),
        ("cc", cpp, Lang::Cpp),
        ("hpp", cpp, Lang::Cpp),
    ] {
        let answer = format!("{NOTES}\n\n```{tag}\n{body}```\n");
        assert_eq!(
            extract(&answer),
            Some((lang, body.trim_end().to_string())),
            "{tag}"
        );
    }
}

#[test]
fn untagged_and_unfenced_java_and_cpp_are_told_apart() {
    for (lang, set) in [(Lang::Java, JAVA), (Lang::Cpp, CPP)] {
        for (name, body) in set {
            let untagged = format!("{NOTES}\n\n```\n{body}```\n");
            assert_eq!(extract(&untagged).map(|(l, _)| l), Some(lang), "{name}");
            let unfenced = format!("{NOTES}\n\n{body}\nThat is one pass, so linear time.\n");
            assert_eq!(
                extract(&unfenced),
                Some((lang, body.trim_end().to_string())),
                "{name}"
            );
        }
    }
}

#[test]
fn a_java_method_without_its_class_is_still_java() {
    let answer = "\
Two pointers from both ends, moving the lower wall inwards.

public int maxArea(int[] height) {
    int left = 0, right = height.length - 1, best = 0;
    while (left < right) {
        best = Math.max(best, Math.min(height[left], height[right]) * (right - left));
        if (height[left] < height[right]) left++; else right--;
    }
    return best;
}

Linear time, constant space.";
    a_bare_method_reads_as(answer, Lang::Java, "public int maxArea");
}

/// The code found in `answer` is the whole method, in `lang`, and parses.
pub(super) fn a_bare_method_reads_as(answer: &str, want: Lang, head: &str) {
    let (lang, code) = extract(answer).expect("code");
    assert_eq!(lang, want);
    assert!(code.starts_with(head), "{code}");
    assert!(code.ends_with('}'), "{code}");
    assert!(read(lang, &code).parses);
}

#[test]
fn a_cpp_function_with_includes_is_cpp() {
    let answer = "\
Sort, then sweep with a count of open meetings.

#include <vector>
using namespace std;

int longest(vector<int>& nums) {
    int best = 0;
    for (int value : nums) best = max(best, value);
    return best;
}";
    let (lang, code) = extract(answer).expect("code");
    assert_eq!(lang, Lang::Cpp);
    assert!(code.starts_with("#include <vector>"), "{code}");
    assert!(read(lang, &code).parses);
}

#[test]
fn prose_about_ints_and_strings_is_not_code() {
    let answer = "I think (roughly) the int counter could overflow, so I would use a long.\n\
                  String comparison is case sensitive here, and public tests cover that.\n\
                  Static typing would catch the bug earlier; a vector of ints is enough.";
    assert_eq!(extract(answer), None);
}
