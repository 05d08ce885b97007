//! What a run found: figures per scenario, printed as a table, written as
//! JSON, and compared with a previous run's JSON as a ratio per figure.

use std::path::Path;

use serde_json::{Map, Value, json};

pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// The target for this figure: at most this much.
    pub at_most: Option<f64>,
}

pub struct Scenario {
    pub name: &'static str,
    pub figures: Vec<Figure>,
    /// Settings the figures depend on (sessions, think time, data dir).
    pub settings: Vec<(&'static str, String)>,
}

impl Scenario {
    pub fn new(name: &'static str) -> Scenario {
        Scenario {
            name,
            figures: Vec::new(),
            settings: Vec::new(),
        }
    }

    pub fn figure(&mut self, name: &'static str, value: f64, unit: &'static str) {
        self.figures.push(Figure {
            name,
            value,
            unit,
            at_most: None,
        });
    }

    pub fn target(&mut self, name: &'static str, value: f64, unit: &'static str, at_most: f64) {
        self.figures.push(Figure {
            name,
            value,
            unit,
            at_most: Some(at_most),
        });
    }

    pub fn setting(&mut self, name: &'static str, value: impl ToString) {
        self.settings.push((name, value.to_string()));
    }
}

pub fn to_json(scenarios: &[Scenario], machine: Value) -> Value {
    let mut all = Map::new();
    for s in scenarios {
        let mut figures = Map::new();
        for f in &s.figures {
            let mut entry = json!({ "value": f.value, "unit": f.unit });
            if let Some(t) = f.at_most {
                entry["at_most"] = json!(t);
                entry["met"] = json!(f.value <= t);
            }
            figures.insert(f.name.to_owned(), entry);
        }
        let settings: Map<String, Value> = s
            .settings
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        all.insert(
            s.name.to_owned(),
            json!({ "settings": settings, "figures": figures }),
        );
    }
    json!({ "machine": machine, "scenarios": all })
}

/// A previous run's JSON, as written by [`to_json`].
pub fn read_baseline(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Prints every figure; with a baseline, this run's value over the
/// baseline's (below 1 is smaller: better for memory and latency, worse for
/// throughput).
pub fn print_table(scenarios: &[Scenario], baseline: Option<&Value>) {
    println!();
    print!(
        "{:<8} {:<28} {:>12} {:<8} {:<22}",
        "scenario", "figure", "value", "unit", "target"
    );
    if baseline.is_some() {
        print!(" {:>12} {:>7}", "baseline", "ratio");
    }
    println!();
    for s in scenarios {
        let settings: Vec<String> = s.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("{:<8} ({})", s.name, settings.join(", "));
        for f in &s.figures {
            let target = match f.at_most {
                Some(t) if f.value <= t => format!("<= {} (met)", number(t)),
                Some(t) => format!("<= {} (missed, {:.1}x)", number(t), f.value / t),
                None => String::new(),
            };
            print!(
                "{:<8} {:<28} {:>12} {:<8} {:<22}",
                "",
                f.name,
                number(f.value),
                f.unit,
                target
            );
            let before =
                baseline.and_then(|b| b["scenarios"][s.name]["figures"][f.name]["value"].as_f64());
            match before {
                Some(b) if b != 0.0 => print!(" {:>12} {:>7.2}", number(b), f.value / b),
                Some(b) => print!(" {:>12} {:>7}", number(b), "-"),
                None if baseline.is_some() => print!(" {:>12} {:>7}", "-", "-"),
                None => {}
            }
            println!();
        }
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}
