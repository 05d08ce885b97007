//! The single traversal: units (functions and the top-level code), their
//! length, complexity and nesting, dead code, repeated expressions and
//! unexplained constants. Names are handled in `bindings`.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::Lang;
use super::facts::{Bind, Binding, DeadCode, Facts, Unit, children};

#[derive(Clone, Copy)]
pub(super) struct Frame<'t> {
    pub(super) node: Node<'t>,
    /// Carried down instead of asking `Node::parent`, which walks from the
    /// root each time and turns a deep hostile tree into quadratic work.
    pub(super) parent: Option<Node<'t>>,
    pub(super) unit: usize,
    pub(super) depth: usize,
    pub(super) in_class: bool,
    /// Inside the value of an UPPER_CASE constant: numbers there are named.
    pub(super) in_constant: bool,
}

pub(super) struct Walk<'s> {
    pub(super) lang: Lang,
    pub(super) src: &'s [u8],
    pub(super) facts: Facts,
    /// Identifier nodes already accounted for as bindings or non-reads.
    pub(super) marked: HashSet<usize>,
    /// Byte offsets of every identifier that reads a value, by name.
    pub(super) reads: HashMap<String, Vec<usize>>,
    /// (unit, name) declared `global`/`nonlocal`: not the unit's locals.
    pub(super) globals: HashSet<(usize, String)>,
    /// (unit, text without spaces, text as written, rows) of candidate
    /// repeated expressions.
    pub(super) exprs: Vec<(usize, String, String, Vec<usize>)>,
    pub(super) expr_index: HashMap<(usize, String), usize>,
}

impl<'s> Walk<'s> {
    pub(super) fn new(lang: Lang, code: &'s str, facts: Facts) -> Self {
        Walk {
            lang,
            src: code.as_bytes(),
            facts,
            marked: HashSet::new(),
            reads: HashMap::new(),
            globals: HashSet::new(),
            exprs: Vec::new(),
            expr_index: HashMap::new(),
        }
    }

    pub(super) fn text(&self, node: Node<'_>) -> &'s str {
        node.utf8_text(self.src).unwrap_or("")
    }

    pub(super) fn run(&mut self, root: Node<'_>) {
        self.facts.units.push(Unit {
            name: "the top-level code".to_string(),
            is_function: false,
            start_row: 0,
            end_row: root.end_position().row,
            start_byte: root.start_byte(),
            end_byte: root.end_byte(),
            lines: 0,
            complexity: 1,
            max_nesting: 0,
            deepest_row: 0,
            has_guard_clause: false,
        });
        let mut stack = vec![Frame {
            node: root,
            parent: None,
            unit: 0,
            depth: 0,
            in_class: false,
            in_constant: false,
        }];
        while let Some(frame) = stack.pop() {
            let child = self.visit(frame);
            let kids = children(frame.node);
            stack.extend(kids.into_iter().rev().map(|(_, node)| Frame {
                node,
                parent: Some(frame.node),
                ..child
            }));
        }
    }

    /// Records what `frame.node` says and returns the context its children
    /// are read in.
    fn visit<'t>(&mut self, frame: Frame<'t>) -> Frame<'t> {
        let node = frame.node;
        let kind = node.kind();
        let row = node.start_position().row;
        let mut child = frame;
        if node.is_error() || node.is_missing() {
            self.facts.error_rows.push(row);
        }
        if self.is_function(node) {
            child.unit = self.open_unit(node, frame);
            child.depth = 0;
            child.in_class = false;
            return child;
        }
        if matches!(
            kind,
            "class_definition" | "class_declaration" | "class" | "class_specifier"
        ) {
            if let Some(name) = node.child_by_field_name("name") {
                self.bind(name, Bind::Class, frame.unit);
            }
            child.in_class = true;
        }
        if self.is_control(node, frame.parent) {
            child.depth = frame.depth + 1;
            let unit = &mut self.facts.units[frame.unit];
            if child.depth > unit.max_nesting {
                unit.max_nesting = child.depth;
                unit.deepest_row = row;
            }
        }
        if self.is_branch(node) {
            self.facts.units[frame.unit].complexity += 1;
        }
        self.bindings_at(node, frame);
        self.dead_code_in(node);
        self.expression_at(node, frame);
        child.in_constant = frame.in_constant || self.names_constant(node);
        // A C++ `vector<int> seen(rows);` in a function body parses as a
        // function declaration whose parameter type is `rows`: counting
        // type names as reads keeps `rows` from being called unused. A
        // local never shares a name with a type the code uses, so nothing
        // else changes.
        let read_kinds: &[&str] = match self.lang {
            Lang::Cpp => &["identifier", "type_identifier"],
            _ => &["identifier", "shorthand_property_identifier"],
        };
        if read_kinds.contains(&kind) && !self.marked.contains(&node.id()) {
            self.reads
                .entry(self.text(node).to_string())
                .or_default()
                .push(node.start_byte());
        }
        child
    }

    fn is_function(&self, node: Node<'_>) -> bool {
        match self.lang {
            Lang::Python => node.kind() == "function_definition",
            // The `function` keyword token shares its kind name with the
            // older grammar's function-expression node.
            Lang::JavaScript if !node.is_named() => false,
            Lang::JavaScript => match node.kind() {
                "function_declaration"
                | "function_expression"
                | "function"
                | "generator_function_declaration"
                | "generator_function"
                | "method_definition" => true,
                // Expression-bodied arrows are lambdas: callbacks, not steps.
                "arrow_function" => node
                    .child_by_field_name("body")
                    .is_some_and(|b| b.kind() == "statement_block"),
                _ => false,
            },
            Lang::Java => match node.kind() {
                "method_declaration"
                | "constructor_declaration"
                | "compact_constructor_declaration" => true,
                // As in JavaScript: `x -> x * 2` is a callback, a lambda
                // with a block is a step of its own.
                "lambda_expression" => node
                    .child_by_field_name("body")
                    .is_some_and(|b| b.kind() == "block"),
                _ => false,
            },
            // A C++ lambda's body is always a block.
            Lang::Cpp => matches!(node.kind(), "function_definition" | "lambda_expression"),
            Lang::Csharp => match node.kind() {
                "method_declaration"
                | "constructor_declaration"
                | "destructor_declaration"
                | "operator_declaration"
                | "local_function_statement"
                | "anonymous_method_expression" => true,
                // `x => x * 2` is a callback, as in Java; a property's
                // `get { ... }` with statements is a step of its own.
                "lambda_expression" | "accessor_declaration" => node
                    .child_by_field_name("body")
                    .is_some_and(|b| b.kind() == "block"),
                _ => false,
            },
        }
    }

    fn is_control(&self, node: Node<'_>, parent: Option<Node<'_>>) -> bool {
        match self.lang {
            Lang::Python => matches!(
                node.kind(),
                "if_statement"
                    | "for_statement"
                    | "while_statement"
                    | "try_statement"
                    | "with_statement"
                    | "match_statement"
            ),
            Lang::JavaScript => match node.kind() {
                // `else if` reads as a flat chain, not one level deeper.
                "if_statement" => parent.is_none_or(|p| p.kind() != "else_clause"),
                "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
                | "try_statement" | "switch_statement" => true,
                _ => false,
            },
            Lang::Java => match node.kind() {
                // Java's `else if` is an `if` in its parent's alternative.
                "if_statement" => parent.is_none_or(|p| {
                    p.kind() != "if_statement" || p.child_by_field_name("alternative") != Some(node)
                }),
                "for_statement"
                | "enhanced_for_statement"
                | "while_statement"
                | "do_statement"
                | "try_statement"
                | "try_with_resources_statement"
                | "switch_expression" => true,
                _ => false,
            },
            Lang::Cpp => match node.kind() {
                "if_statement" => parent.is_none_or(|p| p.kind() != "else_clause"),
                "for_statement" | "for_range_loop" | "while_statement" | "do_statement"
                | "try_statement" | "switch_statement" => true,
                _ => false,
            },
            Lang::Csharp => match node.kind() {
                // As in Java, `else if` is an `if` in the alternative.
                "if_statement" => parent.is_none_or(|p| {
                    p.kind() != "if_statement" || p.child_by_field_name("alternative") != Some(node)
                }),
                "for_statement" | "foreach_statement" | "while_statement" | "do_statement"
                | "try_statement" | "switch_statement" => true,
                _ => false,
            },
        }
    }

    fn is_branch(&self, node: Node<'_>) -> bool {
        match self.lang {
            Lang::Python => matches!(
                node.kind(),
                "if_statement"
                    | "elif_clause"
                    | "for_statement"
                    | "while_statement"
                    | "except_clause"
                    | "case_clause"
                    | "boolean_operator"
                    | "conditional_expression"
                    | "if_clause"
            ),
            Lang::JavaScript => match node.kind() {
                "if_statement" | "for_statement" | "for_in_statement" | "while_statement"
                | "do_statement" | "catch_clause" | "switch_case" | "ternary_expression" => true,
                "binary_expression" => node
                    .child_by_field_name("operator")
                    .is_some_and(|op| matches!(op.kind(), "&&" | "||" | "??")),
                _ => false,
            },
            Lang::Java => match node.kind() {
                "if_statement"
                | "for_statement"
                | "enhanced_for_statement"
                | "while_statement"
                | "do_statement"
                | "catch_clause"
                | "ternary_expression" => true,
                // `case 1:` and `case 1 ->` each branch; `default` does not.
                "switch_label" => node.child(0).is_some_and(|c| c.kind() == "case"),
                "binary_expression" => node
                    .child_by_field_name("operator")
                    .is_some_and(|op| matches!(op.kind(), "&&" | "||")),
                _ => false,
            },
            Lang::Cpp => match node.kind() {
                "if_statement"
                | "for_statement"
                | "for_range_loop"
                | "while_statement"
                | "do_statement"
                | "catch_clause"
                | "conditional_expression" => true,
                // `default:` has no value.
                "case_statement" => node.child_by_field_name("value").is_some(),
                "binary_expression" => node
                    .child_by_field_name("operator")
                    .is_some_and(|op| matches!(op.kind(), "&&" | "||" | "and" | "or")),
                _ => false,
            },
            Lang::Csharp => match node.kind() {
                "if_statement"
                | "for_statement"
                | "foreach_statement"
                | "while_statement"
                | "do_statement"
                | "catch_clause"
                | "conditional_expression" => true,
                // `case 1:` branches, `default:` does not; in a switch
                // expression every arm but the discard `_ =>` does.
                "switch_section" => node.child(0).is_some_and(|c| c.kind() == "case"),
                "switch_expression_arm" => {
                    node.named_child(0).is_some_and(|p| p.kind() != "discard")
                }
                "binary_expression" => node
                    .child_by_field_name("operator")
                    .is_some_and(|op| matches!(op.kind(), "&&" | "||" | "??")),
                _ => false,
            },
        }
    }

    fn open_unit(&mut self, node: Node<'_>, frame: Frame<'_>) -> usize {
        let parent = frame.unit;
        let name_node = match self.lang {
            Lang::Cpp => super::c_family::cpp_function_name(node),
            // An accessor's `name` is the keyword `get`/`set`.
            Lang::Csharp if node.kind() == "accessor_declaration" => None,
            _ => node.child_by_field_name("name"),
        };
        let name = match name_node {
            Some(n) => self.text(n).to_string(),
            None if node.kind() == "accessor_declaration" => self.accessor_name(node),
            None => self.borrowed_name(node, frame.parent),
        };
        if let Some(n) = name_node {
            self.bind(n, Bind::Function, parent);
        } else if !name.starts_with("the function") {
            self.facts.bindings.push(Binding {
                name: name.clone(),
                row: node.start_position().row,
                kind: Bind::Function,
                unit: parent,
            });
        }
        let index = self.facts.units.len();
        self.facts.units.push(Unit {
            name,
            is_function: true,
            start_row: node.start_position().row,
            end_row: node.end_position().row,
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            lines: 0,
            complexity: 1,
            max_nesting: 0,
            deepest_row: node.start_position().row,
            has_guard_clause: self.opens_with_guard(node),
        });
        let params_of = match self.lang {
            Lang::Cpp => super::c_family::cpp_declarator(node).unwrap_or(node),
            _ => node,
        };
        for field in ["parameters", "parameter"] {
            if let Some(params) = params_of.child_by_field_name(field) {
                self.bind_pattern(params, Bind::Param, index);
            }
        }
        index
    }

    /// A C# property's `get { ... }` is called `Count.get` by its reader.
    /// Asking for the parents is fine here: an accessor sits two levels
    /// under its property, and there are a handful of them at most.
    fn accessor_name(&self, node: Node<'_>) -> String {
        let accessor = node
            .child_by_field_name("name")
            .map_or("accessor", |n| self.text(n));
        let property = node
            .parent()
            .and_then(|list| list.parent())
            .and_then(|p| p.child_by_field_name("name"))
            .map_or("the property", |n| self.text(n));
        format!("{property}.{accessor}")
    }

    /// `const total = function () {...}` is called `total` by its reader.
    fn borrowed_name(&self, node: Node<'_>, parent: Option<Node<'_>>) -> String {
        let holder = parent.and_then(|p| match p.kind() {
            "variable_declarator" => p.child_by_field_name("name"),
            "init_declarator" => p.child_by_field_name("declarator"),
            "assignment_expression" => p.child_by_field_name("left"),
            "pair" => p.child_by_field_name("key"),
            _ => None,
        });
        match holder {
            Some(h) if h.kind() == "identifier" || h.kind() == "property_identifier" => {
                self.text(h).to_string()
            }
            _ => format!("the function on line {}", node.start_position().row + 1),
        }
    }

    fn dead_code_in(&mut self, node: Node<'_>) {
        if !matches!(
            node.kind(),
            "block"
                | "module"
                | "statement_block"
                | "program"
                | "constructor_body"
                | "switch_block_statement_group"
                | "compound_statement"
                | "case_statement"
                | "switch_section"
        ) {
            return;
        }
        let mut after: Option<&'static str> = None;
        let mut first_row = 0;
        let mut count = 0;
        for (_, stmt) in children(node) {
            let kind = stmt.kind();
            if !stmt.is_named() || is_comment(kind) || kind == "function_declaration" {
                continue;
            }
            if after.is_some() {
                if count == 0 {
                    first_row = stmt.start_position().row;
                }
                count += 1;
                continue;
            }
            after = match kind {
                "return_statement" => Some("return"),
                "raise_statement" => Some("raise"),
                "throw_statement" => Some("throw"),
                "continue_statement" => Some("continue"),
                "break_statement" => Some("break"),
                _ => None,
            };
        }
        if let (Some(after), true) = (after, count > 0) {
            self.facts.dead.push(DeadCode {
                row: first_row,
                after,
                count,
            });
        }
    }

    fn expression_at(&mut self, node: Node<'_>, frame: Frame<'_>) {
        let row = node.start_position().row;
        match node.kind() {
            "binary_operator" | "unary_operator" | "binary_expression" | "unary_expression" => {
                let written = self.text(node);
                let key: String = written.chars().filter(|c| !c.is_whitespace()).collect();
                // Short ones (`n - 1`, `len(a) - 1`) are idiom, not copy-paste.
                if key.chars().count() < 15 {
                    return;
                }
                let key = (frame.unit, key);
                match self.expr_index.get(&key) {
                    Some(&i) => self.exprs[i].3.push(row),
                    None => {
                        self.expr_index.insert(key.clone(), self.exprs.len());
                        self.exprs
                            .push((key.0, key.1, written.to_string(), vec![row]));
                    }
                }
            }
            "integer"
            | "number"
            | "decimal_integer_literal"
            | "number_literal"
            | "integer_literal"
            | "real_literal"
                if !frame.in_constant =>
            {
                let text = self.text(node);
                // Java's `1_000_000L`, C++'s `1'000'000ULL`, C#'s
                // `1_000_000UL` or `1000000m`: the suffix and separators do
                // not make a number any less magic. A real with a point or
                // an exponent is a measure, not a constant, as elsewhere.
                let value = match self.lang {
                    Lang::Csharp => {
                        text.trim_end_matches(['l', 'L', 'u', 'U', 'm', 'M', 'd', 'D', 'f', 'F'])
                    }
                    _ if self.lang.is_c_family() => text.trim_end_matches(['l', 'L', 'u', 'U']),
                    _ => text,
                };
                let digits = value.chars().filter(char::is_ascii_digit).count();
                let plain = value
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '_' || c == '\'');
                if plain && digits >= 6 {
                    self.facts.magic.push((text.to_string(), row));
                }
            }
            _ => {}
        }
    }

    /// `MAX_TIME = 1_000_000_000` names its number; that is the fix. C#
    /// names constants in PascalCase, so there `const` or `readonly` says it.
    fn names_constant(&self, node: Node<'_>) -> bool {
        if self.lang == Lang::Csharp
            && matches!(
                node.kind(),
                "field_declaration" | "local_declaration_statement"
            )
        {
            return children(node).iter().any(|(_, c)| {
                (c.kind() == "modifier" || !c.is_named())
                    && matches!(self.text(*c), "const" | "readonly")
            });
        }
        let target = match node.kind() {
            "assignment" => node.child_by_field_name("left"),
            "variable_declarator" => node.child_by_field_name("name"),
            "init_declarator" => node.child_by_field_name("declarator"),
            _ => None,
        };
        target.is_some_and(|t| {
            let name = self.text(t);
            name.chars().any(|c| c.is_ascii_uppercase())
                && !name.chars().any(|c| c.is_ascii_lowercase())
        })
    }

    /// An `if` among the first statements of a function whose only job is
    /// to return or raise: the guard clause the rubric asks for.
    fn opens_with_guard<'t>(&self, function: Node<'t>) -> bool {
        let Some(body) = function.child_by_field_name("body") else {
            return false;
        };
        let statements = |n: Node<'t>| -> Vec<Node<'t>> {
            children(n)
                .into_iter()
                .map(|(_, c)| c)
                .filter(|c| c.is_named() && !is_comment(c.kind()))
                .collect()
        };
        let exits = |n: Node<'_>| {
            matches!(
                n.kind(),
                "return_statement" | "raise_statement" | "throw_statement"
            )
        };
        statements(body).into_iter().take(3).any(|stmt| {
            if stmt.kind() != "if_statement" {
                return false;
            }
            let has_else = stmt.child_by_field_name("alternative").is_some();
            let Some(then) = stmt.child_by_field_name("consequence") else {
                return false;
            };
            let inner = statements(then);
            !has_else && (exits(then) || (inner.len() == 1 && exits(inner[0])))
        })
    }

    pub(super) fn finish(mut self, has_code: &[bool]) -> Facts {
        self.count_own_lines(has_code);
        self.find_unused();
        self.find_repeated();
        self.facts
    }

    /// Each code line belongs to the innermost unit around it, so a
    /// function's length leaves out the helpers nested in it: nesting a
    /// helper is decomposition, not length. Units are in source order and
    /// nest, so one sweep with a stack assigns every row.
    fn count_own_lines(&mut self, has_code: &[bool]) {
        let units = &mut self.facts.units;
        let mut stack: Vec<usize> = vec![0];
        let mut next = 1;
        for (row, &code) in has_code.iter().enumerate() {
            loop {
                while stack.len() > 1 && stack.last().is_some_and(|&u| units[u].end_row < row) {
                    stack.pop();
                }
                if next < units.len() && units[next].start_row <= row {
                    stack.push(next);
                    next += 1;
                } else {
                    break;
                }
            }
            if let (true, Some(&owner)) = (code, stack.last()) {
                units[owner].lines += 1;
            }
        }
    }

    fn find_repeated(&mut self) {
        let repeated: Vec<&(usize, String, String, Vec<usize>)> =
            self.exprs.iter().filter(|e| e.3.len() >= 2).collect();
        // Report the largest repeated expression, not each of its parts.
        let kept = repeated
            .iter()
            .filter(|inner| {
                !repeated.iter().any(|outer| {
                    outer.0 == inner.0
                        && outer.1.len() > inner.1.len()
                        && outer.1.contains(inner.1.as_str())
                        && outer.3.len() >= inner.3.len()
                })
            })
            .map(|e| (e.2.clone(), e.3.clone()))
            .collect();
        self.facts.repeated = kept;
    }
}

/// Python, JavaScript and C++ call a comment `comment`; Java tells line
/// and block comments apart.
fn is_comment(kind: &str) -> bool {
    matches!(kind, "comment" | "line_comment" | "block_comment")
}
