//! Names in Java and C++: which nodes bind a parameter, a local or a loop
//! variable, and which identifiers are not reads. Their declarations are
//! typed (`int total = 0;`, `vector<int> seen(n);`), unlike Python's and
//! JavaScript's, so they get their own reading.

use tree_sitter::Node;

use super::facts::{Bind, children};
use super::walk::{Frame, Walk};

/// The `function_declarator` of a C++ function definition (through any
/// `*`/`&` around it), or a lambda's parameter declarator: the node that
/// holds the parameters.
pub(super) fn cpp_declarator(function: Node<'_>) -> Option<Node<'_>> {
    let mut at = function.child_by_field_name("declarator")?;
    // Bounded: a declarator is a handful of levels deep in any real code.
    for _ in 0..16 {
        if matches!(
            at.kind(),
            "function_declarator" | "abstract_function_declarator"
        ) {
            return Some(at);
        }
        at = at
            .child_by_field_name("declarator")
            .or_else(|| at.named_child(0))?;
    }
    None
}

/// The name a C++ function is called by: `solve`, the `go` of
/// `Solution::go`, a constructor's class name. `None` for lambdas.
pub(super) fn cpp_function_name(function: Node<'_>) -> Option<Node<'_>> {
    if function.kind() != "function_definition" {
        return None;
    }
    let mut name = cpp_declarator(function)?.child_by_field_name("declarator")?;
    for _ in 0..16 {
        if name.kind() != "qualified_identifier" {
            return Some(name);
        }
        name = name.child_by_field_name("name")?;
    }
    None
}

impl Walk<'_> {
    /// Java's and C++'s counterpart of `bindings_at`.
    pub(super) fn c_family_bindings_at(&mut self, node: Node<'_>, frame: Frame<'_>) {
        let unit = frame.unit;
        let field = |name: &str| node.child_by_field_name(name);
        match node.kind() {
            "assignment_expression" => {
                // `x = ...` may write a field or an outer name: never
                // "unused" on its own. `a[i] = ...` reads `a`.
                if let Some(left) = field("left").filter(|l| l.kind() == "identifier") {
                    self.bind(left, Bind::Write, unit);
                }
            }
            "update_expression" => {
                // C++ names the operand `argument`; Java does not name it.
                let operand = field("argument").or_else(|| node.named_child(0));
                if let Some(arg) = operand.filter(|a| a.kind() == "identifier") {
                    self.bind(arg, Bind::Write, unit);
                }
            }
            // Java: `int total = 0, seen;` (also fields, in the class's unit).
            "variable_declarator" => {
                if let Some(name) = field("name").filter(|n| !self.marked.contains(&n.id())) {
                    self.bind(name, declared(field("value").is_some()), unit);
                }
            }
            // C++: `int lo = 0, hi;`, `auto [key, count] = entry;`,
            // `auto& row = grid[r];`.
            "declaration" => {
                for (f, declarator) in children(node) {
                    if f == Some("declarator") {
                        self.cpp_declarator_binds(declarator, Bind::Local, unit);
                    }
                }
            }
            "for_statement" => {
                // Java's header is `init`, C++'s `initializer`.
                let init = field("init").or_else(|| field("initializer"));
                if let Some(init) = init {
                    self.loop_header_binds(init, unit);
                }
            }
            "enhanced_for_statement" => {
                if let Some(name) = field("name") {
                    self.bind(name, Bind::LoopVar, unit);
                }
            }
            "for_range_loop" => {
                if let Some(declarator) = field("declarator") {
                    self.bind_pattern(declarator, Bind::LoopVar, unit);
                }
            }
            "catch_clause" => {
                for (_, c) in children(node) {
                    match c.kind() {
                        "catch_formal_parameter" => {
                            if let Some(name) = c.child_by_field_name("name") {
                                self.bind(name, Bind::ExceptVar, unit);
                            }
                        }
                        "parameter_list" => self.bind_pattern(c, Bind::ExceptVar, unit),
                        _ => {}
                    }
                }
            }
            // Lambdas that are not functions (Java's `x -> x * 2`) bind
            // their parameters in the function around them.
            "lambda_expression" => {
                if let Some(params) = field("parameters") {
                    self.bind_pattern(params, Bind::Param, unit);
                }
            }
            // `this.capacity`, `nums.length`, `list.add(x)`: member names,
            // not reads of a local of that name.
            "field_access" => {
                if let Some(member) = field("field") {
                    self.marked.insert(member.id());
                }
            }
            "method_invocation" => {
                if let Some(member) = field("name") {
                    self.marked.insert(member.id());
                }
            }
            "import_declaration" | "package_declaration" => self.ignore_all(node),
            _ => {}
        }
    }

    /// Variables declared in a `for (...;...;...)` header.
    fn loop_header_binds(&mut self, init: Node<'_>, unit: usize) {
        for (f, c) in children(init) {
            match (f, c.kind()) {
                (_, "variable_declarator") => {
                    if let Some(name) = c.child_by_field_name("name") {
                        self.bind(name, Bind::LoopVar, unit);
                    }
                }
                (Some("declarator"), _) => self.cpp_declarator_binds(c, Bind::LoopVar, unit),
                _ => {}
            }
        }
    }

    fn cpp_declarator_binds(&mut self, declarator: Node<'_>, kind: Bind, unit: usize) {
        if self.marked.contains(&declarator.id()) {
            return;
        }
        match declarator.kind() {
            "init_declarator" => {
                if let Some(target) = declarator.child_by_field_name("declarator") {
                    if self.marked.contains(&target.id()) {
                        return;
                    }
                    // A reference (`auto& row = ...`) writes through to what
                    // it names: never "unused" on its own.
                    let kind = match (kind, target.kind()) {
                        (Bind::Local, "identifier") => Bind::Local,
                        (Bind::Local, _) => Bind::Unpacked,
                        (other, _) => other,
                    };
                    self.bind_pattern(target, kind, unit);
                }
            }
            // `vector<int> seen(n);` in a body reads as a function
            // declaration; nothing is bound, see `Walk::visit`.
            "function_declarator" => {}
            _ => {
                let kind = if kind == Bind::Local {
                    declared(false)
                } else {
                    kind
                };
                self.bind_pattern(declarator, kind, unit);
            }
        }
    }
}

/// How a declared name is bound: only one given a value in its declaration
/// can be "assigned but never read" (`int count;` alone assigns nothing).
fn declared(with_value: bool) -> Bind {
    if with_value {
        Bind::Local
    } else {
        Bind::Unpacked
    }
}
