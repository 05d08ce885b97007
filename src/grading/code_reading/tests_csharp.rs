use super::*;

macro_rules! solutions {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_str!(concat!("../../../tests/fixtures/solutions/", $name, ".cs")),
            include_str!(concat!("../../../tests/fixtures/solutions/", $name, ".java")),
        )),*]
    };
}

/// (question, C# solution, Java solution of the same question).
const SOLUTIONS: &[(&str, &str, &str)] = solutions!(
    "coding-coin-change",
    "coding-course-schedule-order",
    "coding-lru-cache",
    "coding-min-meeting-rooms",
    "coding-network-delay-time",
    "coding-number-of-islands",
    "coding-subarray-sum-equals-k",
    "coding-three-sum",
    "coding-top-k-frequent-words",
    "coding-trapping-rain-water",
    "coding-balanced-brackets",
    "coding-compare-versions",
    "coding-rate-limiter",
    "coding-ship-within-days",
    "coding-decode-string",
    "coding-versioned-kv-store",
    "coding-accounts-merge",
    "coding-basic-calculator",
    "coding-sliding-window-maximum",
    "coding-merge-k-sorted",
);

fn solution(name: &str) -> &'static str {
    SOLUTIONS.iter().find(|s| s.0 == name).unwrap().1
}

fn mentions(reading: &Reading, needle: &str) -> bool {
    reading.findings.iter().any(|f| f.contains(needle))
}

/// (question, functions): methods and constructors, not the `class
/// Solution` around them nor LINQ's expression lambdas.
const FUNCTIONS: &[(&str, usize)] = &[
    ("coding-coin-change", 1),
    ("coding-lru-cache", 4),
    ("coding-three-sum", 1),
    ("coding-top-k-frequent-words", 1),
];

/// The Java versions of course schedule, network delay, islands and
/// three-sum read as 2 (complexity, nesting, a loop variable `c` or `p`:
/// see `tests_java_cpp`); C# is held to the same rules, never below Java.
#[test]
fn reference_solutions_parse_and_read_no_lower_than_their_java_versions() {
    for (name, cs, java) in SOLUTIONS {
        let r = read(Lang::Csharp, cs);
        assert!(r.parses, "{name}: {r:#?}");
        assert!(!mentions(&r, "does not parse"), "{name}");
        assert!(r.functions >= 1, "{name}: {r:#?}");
        let java_level = read(Lang::Java, java).level;
        assert!(
            r.level >= java_level.max(2),
            "{name}: Java {java_level}, {r:#?}"
        );
        if let Some((_, n)) = FUNCTIONS.iter().find(|(q, _)| q == name) {
            assert_eq!(r.functions, *n, "{name}: {r:#?}");
        }
    }
}

#[test]
fn a_csharp_class_solution_wrapper_and_usings_count_for_nothing() {
    let r = read(Lang::Csharp, solution("coding-lru-cache"));
    assert_eq!(r.level, 4, "{r:#?}");
    assert!(!mentions(&r, "top-level"), "{:?}", r.findings);
    assert!(r.unused.is_empty(), "{r:#?}");
    assert!(
        r.strengths
            .contains(&"No dead code: every variable is used.".to_string()),
        "`using` directives are not checked, so none is claimed used: {:?}",
        r.strengths
    );
}

#[test]
fn broken_csharp_does_not_parse_and_says_so() {
    let code = "\
public class Solution {
    public int Total(int[] nums) {
        var sum = 0
        foreach (var x in nums {
            sum += x;
        return sum;
    }
";
    let r = read(Lang::Csharp, code);
    assert!(!r.parses);
    assert_eq!(r.level, 1, "{r:#?}");
    assert!(mentions(&r, "does not parse"), "{:?}", r.findings);
}

#[test]
fn a_long_deep_careless_csharp_method_gets_each_finding() {
    let mut body = String::from(
        "        int tmp = 0;
        var total = 0;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                foreach (var j in Enumerable.Range(0, n)) {
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
    let code = format!(
        "using System.Linq;\n\npublic class Solution {{\n    public int Work(int n) {{\n{body}    }}\n}}\n"
    );
    let r = read(Lang::Csharp, &code);
    assert!(r.parses, "{r:#?}");
    assert_eq!(r.functions, 1);
    assert!(r.longest_function >= 60, "{r:#?}");
    assert_eq!(r.max_nesting, 5);
    assert_eq!(r.unused, vec!["tmp"]);
    assert_eq!(r.vague_names, vec!["tmp"]);
    assert_eq!(r.unreachable, 1);
    assert_eq!(r.level, 2);
    assert!(mentions(&r, "`Work` is"), "{:?}", r.findings);
    assert!(mentions(&r, "nests control flow 5 levels deep"));
    assert!(mentions(&r, "`tmp` is assigned but never read"));
    assert!(mentions(&r, "the statement after `return` never runs"));
}

#[test]
fn a_var_local_assigned_and_never_read_is_unused_but_out_and_loop_variables_are_not() {
    let code = "\
public class Solution {
    public int Pick(Dictionary<int, int> counts, int[] nums) {
        var leftover = nums.Length * 2;
        int best = 0;
        foreach (var (key, value) in counts) best += key;
        if (counts.TryGetValue(best, out var found)) best++;
        return best;
    }
}
";
    let r = read(Lang::Csharp, code);
    assert!(r.parses, "{r:#?}");
    assert_eq!(r.unused, vec!["leftover"], "{r:#?}");
}

#[test]
fn csharp_branches_switches_lambdas_local_functions_and_magic_numbers() {
    let code = "\
public class Solution {
    const long Mod = 1_000_000_007L;

    public int Pick(int a, int[] xs, string s) {
        if (a > 0) {
            return 1;
        } else if (a < 0 && xs.Length > 0) {
            return 2;
        }
        var doubled = xs.Select(x => x > 1 ? x : 1000000).ToArray();
        Func<int, int> twice = v => {
            return v * 2;
        };
        int Half(int v) {
            return v / 2;
        }
        var label = a switch { 1 => \"one\", 2 => \"two\", _ => \"many\" };
        switch (a) {
            case 1: return 3;
            default:
                return (int)(doubled.Length % Mod) + Half(twice(a)) + (s ?? label).Length;
                break;
        }
    }
}
";
    let r = read(Lang::Csharp, code);
    assert!(r.parses, "{r:#?}");
    assert_eq!(r.functions, 3, "a method, a block lambda, a local function");
    // if, else if, &&, ternary, two arms, case 1, ??.
    assert_eq!(r.max_complexity, 9, "{r:#?}");
    assert_eq!(r.max_nesting, 1, "`else if` is not one level deeper");
    assert_eq!(r.magic_numbers, vec!["1000000"], "the `const` is named");
    assert_eq!(
        r.unreachable, 1,
        "the `break` after the default section's `return`"
    );
}

const NOTES: &str = "I keep a running prefix sum and a map from each prefix to how often it \
occurred, so each step adds the count of prefix minus k.";

#[test]
fn fence_tags_name_csharp() {
    let body = solution("coding-subarray-sum-equals-k");
    for tag in ["csharp", "cs", "c#", "C#", "CSharp"] {
        let answer = format!("{NOTES}\n\n```{tag}\n{body}```\n");
        assert_eq!(
            extract(&answer),
            Some((Lang::Csharp, body.trim_end().to_string())),
            "{tag}"
        );
    }
}

#[test]
fn untagged_and_unfenced_csharp_is_read_as_csharp_and_java_stays_java() {
    for (name, cs, java) in SOLUTIONS {
        let untagged = format!("{NOTES}\n\n```\n{cs}```\n");
        assert_eq!(
            extract(&untagged).map(|(l, _)| l),
            Some(Lang::Csharp),
            "{name}"
        );
        let unfenced = format!("{NOTES}\n\n{cs}\nThat is one pass, so linear time.\n");
        assert_eq!(
            extract(&unfenced),
            Some((Lang::Csharp, cs.trim_end().to_string())),
            "{name}"
        );
        let untagged_java = format!("{NOTES}\n\n```\n{java}```\n");
        assert_eq!(
            extract(&untagged_java).map(|(l, _)| l),
            Some(Lang::Java),
            "{name}"
        );
    }
}

#[test]
fn a_csharp_method_without_its_class_is_still_csharp() {
    let answer = "\
Two pointers from both ends, moving the lower wall inwards.

public int MaxArea(int[] height) {
    int left = 0, right = height.Length - 1, best = 0;
    while (left < right) {
        best = Math.Max(best, Math.Min(height[left], height[right]) * (right - left));
        if (height[left] < height[right]) left++; else right--;
    }
    return best;
}

Linear time, constant space.";
    super::tests_java_cpp::a_bare_method_reads_as(answer, Lang::Csharp, "public int MaxArea");
}

#[test]
fn prose_about_using_and_foreach_is_not_code() {
    let answer = "I would solve it using a dictionary; the counts go in as we walk.\n\
                  Using System.Linq would be shorter, but a foreach loop is clearer.\n\
                  Var names matter too, so I call the map seen.";
    assert_eq!(extract(answer), None);
}
