use super::*;

const PREFIX_SUM: &str = "\
def count_subarrays(nums, k):
    seen = {0: 1}   # prefix sum -> how many times it has occurred
    running = 0
    total = 0
    for x in nums:
        running += x
        total += seen.get(running - k, 0)
        seen[running] = seen.get(running, 0) + 1
    return total
";

fn mentions(reading: &Reading, needle: &str) -> bool {
    reading.findings.iter().any(|f| f.contains(needle))
}

#[test]
fn clean_prefix_sum_is_level_4_and_names_are_praised() {
    let r = read(Lang::Python, PREFIX_SUM);
    assert!(r.parses);
    assert_eq!(r.level, 4, "{r:#?}");
    assert_eq!(r.functions, 1);
    assert_eq!(r.lines, 9);
    assert_eq!(r.max_complexity, 2);
    assert_eq!(r.max_nesting, 1);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        r.strengths
            .iter()
            .any(|s| s.contains("`seen`") && s.contains("`running`") && s.contains("`total`")),
        "{:?}",
        r.strengths
    );
}

#[test]
fn vague_name_unused_variable_and_dead_code_are_each_named() {
    let code = "\
def count_subarrays(nums, k):
    seen = {0: 1}
    tmp = 0
    total = 0
    debug = []
    for x in nums:
        tmp += x
        total += seen.get(tmp - k, 0)
        seen[tmp] = seen.get(tmp, 0) + 1
    return total
    print(total)
";
    let r = read(Lang::Python, code);
    assert!(r.level <= 2, "{r:#?}");
    assert_eq!(r.vague_names, vec!["tmp"]);
    assert_eq!(r.unused, vec!["debug"]);
    assert_eq!(r.unreachable, 1);
    assert!(mentions(&r, "Line 3: `tmp` does not say what it holds."));
    assert!(mentions(&r, "Line 5: `debug` is assigned but never read."));
    assert!(mentions(
        &r,
        "Line 11: the statement after `return` never runs."
    ));
}

#[test]
fn python_syntax_error_is_level_1() {
    let code = "\
def broken(nums:
    total = 0
    for x in nums
        total += x
    return total +
";
    let r = read(Lang::Python, code);
    assert!(!r.parses);
    assert_eq!(r.level, 1, "{r:#?}");
    assert!(mentions(&r, "does not parse"));
    assert!(r.strengths.is_empty());
}

#[test]
fn one_slip_in_clean_code_is_level_2() {
    let code = "\
def total_of(values):
    running = 0
    for value in values
        running += value
    return running
";
    let r = read(Lang::Python, code);
    assert!(!r.parses);
    assert_eq!(r.level, 2, "{r:#?}");
    assert!(mentions(&r, "Line 3: the code does not parse here."));
    assert!(mentions(&r, "Apart from that one slip"));
}

#[test]
fn cut_off_last_line_costs_one_level_not_three() {
    let code = "\
def total_of(values):
    running = 0
    for value in values:
        running += value
    return running +
";
    let r = read(Lang::Python, code);
    assert!(!r.parses);
    assert_eq!(r.level, 3, "{r:#?}");
    assert!(mentions(&r, "Line 5: the last line is cut off"));
}

#[test]
fn clean_javascript_function_is_level_4() {
    let code = "\
function countSubarrays(nums, k) {
  const seen = new Map([[0, 1]]);
  let running = 0;
  let total = 0;
  for (const value of nums) {
    running += value;
    total += seen.get(running - k) ?? 0;
    seen.set(running, (seen.get(running) ?? 0) + 1);
  }
  return total;
}
";
    let r = read(Lang::JavaScript, code);
    assert!(r.parses);
    assert_eq!(r.level, 4, "{r:#?}");
    assert_eq!(r.functions, 1);
}

#[test]
fn javascript_unused_const_and_vague_name_drop_the_level() {
    let code = "\
function maxProfit(prices) {
  const limit = prices.length;
  let best = 0;
  let foo = prices[0];
  for (const price of prices) {
    foo = Math.min(foo, price);
    best = Math.max(best, price - foo);
  }
  return best;
}
";
    let r = read(Lang::JavaScript, code);
    assert!(r.level <= 3, "{r:#?}");
    assert_eq!(r.unused, vec!["limit"]);
    assert_eq!(r.vague_names, vec!["foo"]);
    assert!(mentions(&r, "`limit` is assigned but never read"));
    assert!(mentions(&r, "`foo` does not say what it holds"));
}

#[test]
fn javascript_dead_code_closures_and_imports() {
    let code = "\
import { readFile } from 'fs';
let best = 0;
function track(values) {
  values.forEach((value) => {
    best = Math.max(best, value);
  });
  return best;
  console.log(best);
}
";
    let r = read(Lang::JavaScript, code);
    assert_eq!(r.unreachable, 1, "{r:#?}");
    assert!(mentions(
        &r,
        "Line 8: the statement after `return` never runs."
    ));
    assert_eq!(r.unused, vec!["readFile"]);
    assert_eq!(r.functions, 2);
    assert_eq!(r.level, 2);
}

#[test]
fn extract_keeps_only_the_unfenced_code() {
    let answer = format!(
        "Okay so the trick is a running prefix sum and a dictionary of counts.\n\
         I look up before I insert so k equal to zero never counts the empty one.\n\n\
         {PREFIX_SUM}\n\
         That is one pass, so linear time, and the dictionary makes it linear space too.\n"
    );
    let (lang, code) = extract(&answer).expect("code");
    assert_eq!(lang, Lang::Python);
    assert_eq!(code, PREFIX_SUM.trim_end());
}

#[test]
fn extract_joins_a_helper_and_main_split_by_prose() {
    let answer = "\
First a helper that lists a cell's neighbours inside the grid.

def neighbours(grid, row, col):
    for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        if 0 <= row + dr < len(grid) and 0 <= col + dc < len(grid[0]):
            yield row + dr, col + dc

Then the main loop counts each island once and sinks it as it goes.

def count_islands(grid):
    islands = 0
    return islands

That is linear in the number of cells.";
    let (lang, code) = extract(answer).expect("code");
    assert_eq!(lang, Lang::Python);
    assert!(code.starts_with("def neighbours"));
    assert!(code.contains("def count_islands"));
    assert!(!code.contains("main loop"));
    assert!(!code.contains("linear in"));
}

#[test]
fn extract_ignores_prose_that_mentions_code_words() {
    let answer = "I would use a dict to count the words, which is O(n), and then sort \
                  the distinct words, which is O(n log n).\n\
                  A heap of size k would make it O(n log k), and a set is not enough here.\n\
                  Returning early when the list is empty keeps it simple.";
    assert_eq!(extract(answer), None);
    assert_eq!(extract(""), None);
}

#[test]
fn fenced_javascript_is_detected_with_and_without_a_tag() {
    let body = "function add(a, b) {\n  return a + b;\n}\nconsole.log(add(1, 2));";
    let tagged = format!("Here it is:\n```js\n{body}\n```\nDone.");
    assert_eq!(extract(&tagged), Some((Lang::JavaScript, body.to_string())));
    let untagged = format!("Here it is:\n```\n{body}\n```\nDone.");
    assert_eq!(
        extract(&untagged),
        Some((Lang::JavaScript, body.to_string()))
    );
}

#[test]
fn unfenced_javascript_is_detected() {
    let answer = "So I'd just scan and keep the best so far.\n\
                  const best = (xs) => {\n  let top = xs[0];\n  for (const x of xs) if (x > top) top = x;\n  return top;\n};\n\
                  That is linear.";
    let (lang, code) = extract(answer).expect("code");
    assert_eq!(lang, Lang::JavaScript);
    assert!(code.starts_with("const best"));
    assert!(code.ends_with("};"));
}

#[test]
fn complex_deep_function_gets_complexity_and_nesting_findings() {
    let code = "\
def classify(rows, limit):
    labels = []
    for row in rows:
        if row:
            for cell in row:
                if cell > limit and cell % 2 == 0:
                    while cell > 0:
                        if cell % 3 == 0 or cell % 5 == 0:
                            labels.append('fizz' if cell % 3 == 0 else 'buzz')
                        elif cell < 0:
                            labels.append('negative')
                        cell -= 1
                elif cell < limit or cell == 0:
                    labels.append('small')
    return labels
";
    let r = read(Lang::Python, code);
    assert!(r.max_complexity > 12, "{r:#?}");
    assert!(r.max_nesting >= 5);
    assert_eq!(r.level, 2);
    assert!(mentions(&r, "`classify` has cyclomatic complexity"));
    assert!(mentions(&r, "levels deep"));
}

#[test]
fn conventional_short_names_and_parameters_are_not_flagged() {
    let code = "\
import heapq
from collections import Counter

def merge(a, b, s):
    i = j = 0
    merged = []
    while i < len(a) and j < len(b):
        merged.append(min(a[i], b[j]))
        i, j = i + (a[i] <= b[j]), j + (a[i] > b[j])
    try:
        pairs = [(x, y) for x, y in zip(a, b) if x < y]
    except ValueError as e:
        raise RuntimeError(s) from e
    return merged + pairs + list(Counter(a))
";
    let r = read(Lang::Python, code);
    assert!(r.vague_names.is_empty(), "{:?}", r.vague_names);
    assert_eq!(r.unused, vec!["heapq"]);
    assert!(mentions(&r, "Line 1: `heapq` is imported but never used."));
}

#[test]
fn single_letter_locals_abbreviations_and_copies_are_flagged() {
    let code = "\
def trap(height):
    l, r = 0, len(height) - 1
    res = 0
    height2 = list(height)
    while l < r:
        res += height2[l]
        l += 1
    return res
";
    let r = read(Lang::Python, code);
    assert_eq!(r.vague_names, vec!["l", "r", "res", "height2"]);
    assert_eq!(r.level, 2);
}

#[test]
fn repeated_expression_and_magic_number_are_minor_problems() {
    let code = "\
def three_sum(nums):
    found = set(nums)
    triples = []
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if -(nums[i] + nums[j]) in found:
                triples.append([nums[i], nums[j], -(nums[i] + nums[j])])
    return triples[:1000000]
";
    let r = read(Lang::Python, code);
    assert_eq!(r.repeated, vec!["-(nums[i] + nums[j])"]);
    assert_eq!(r.magic_numbers, vec!["1000000"]);
    assert_eq!(r.level, 2, "{r:#?}");
    assert!(mentions(
        &r,
        "Lines 6 and 7: `-(nums[i] + nums[j])` is written out 2 times"
    ));
}

#[test]
fn nested_helpers_do_not_lengthen_their_parent() {
    let helper_body = "        total += 1\n".repeat(30);
    let code = format!(
        "def outer(items):\n    def helper(total):\n{helper_body}        return total\n    return helper(len(items))\n"
    );
    let r = read(Lang::Python, &code);
    assert_eq!(r.functions, 2);
    assert_eq!(r.longest_function, 32);
    assert!(mentions(&r, "`helper` is 32 lines"), "{:?}", r.findings);
    assert!(!mentions(&r, "`outer` is"));
}

#[test]
fn too_little_code_is_level_1() {
    let r = read(Lang::Python, "x = 1\n");
    assert_eq!(r.level, 1);
    assert!(mentions(&r, "Only 1 line of code"));
    assert_eq!(read(Lang::JavaScript, "").level, 1);
}

/// xorshift: deterministic noise without a dependency.
fn noise(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn never_panics_on_garbage() {
    const PIECES: &[&str] = &[
        "def ",
        "function ",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        ";",
        "\n",
        "    ",
        "\t",
        "=",
        "==",
        "return ",
        "x",
        "tmp",
        "if ",
        "else",
        "for ",
        " in ",
        "lambda ",
        "=>",
        "'",
        "\"",
        "\"\"\"",
        "#",
        "//",
        "/*",
        "\\",
        "é",
        "\u{0}",
        "0",
        "1e9",
        "1000000",
        "import ",
        "from ",
        "class ",
        "async ",
        "await ",
        ",",
        ".",
        "@",
        "%",
        "`",
        "```",
        "const ",
        "let ",
        "yield ",
        "\r\n",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..300 {
        let len = (noise(&mut seed) % 120) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(noise(&mut seed) % PIECES.len() as u64) as usize])
            .collect();
        for lang in [Lang::Python, Lang::JavaScript] {
            let r = read(lang, &text);
            assert!((1..=4).contains(&r.level));
        }
        let _ = extract(&text);
    }
}

#[test]
fn long_input_is_clipped_and_read_quickly() {
    let prose = "this is a sentence with many words in it and no code at all.\n".repeat(20_000);
    let started = std::time::Instant::now();
    for lang in [Lang::Python, Lang::JavaScript] {
        let r = read(lang, &prose);
        assert_eq!(r.level, 1);
        assert!(mentions(&r, "Only the first"));
    }
    assert_eq!(extract(&prose), None);
    // Unclipped, this input takes minutes in a debug build.
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn never_overflows_on_deep_nesting() {
    let parens = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let brackets = format!("def f():\n    return {}\n", "[".repeat(5000));
    let blocks = format!("function f() {{{}\n", "{ if (x) ".repeat(5000));
    let mut ifs = String::from("def deep(x):\n");
    for depth in 1..=1000 {
        ifs.push_str(&" ".repeat(depth));
        ifs.push_str("if x:\n");
    }
    ifs.push_str(&" ".repeat(1001));
    ifs.push_str("return x\n");
    for text in [&parens, &brackets, &blocks, &ifs] {
        for lang in [Lang::Python, Lang::JavaScript] {
            let r = read(lang, text);
            assert!((1..=4).contains(&r.level));
        }
        let _ = extract(text);
    }
    // tree-sitter-python's scanner keeps a bounded indent stack, so the
    // 1,000-level text above only has to not panic; 200 levels must parse.
    let mut ifs = String::from("def deep(x):\n");
    for depth in 1..=200 {
        ifs.push_str(&" ".repeat(depth));
        ifs.push_str("if x:\n");
    }
    ifs.push_str(&" ".repeat(201));
    ifs.push_str("return x\n");
    let r = read(Lang::Python, &ifs);
    assert!(r.parses);
    assert_eq!(r.max_nesting, 200);
    assert_eq!(r.level, 2);
}
