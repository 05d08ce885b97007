//! Looking without running anything: commands on `PATH`, and, on systems
//! without dpkg, whether a package seems to be there.
//!
//! The rule there is deliberately simple: a package is there when one of
//! its commands is on `PATH` (cmake, clang, bwrap, …), or, for a library,
//! when its shared object is in the directory its variable names
//! (`LIBCLANG_PATH`) or in a usual library directory: `/usr/lib`,
//! `/usr/lib64`, `/usr/local/lib`, `/usr/lib/<triple>`, `/usr/lib/llvm-*/lib`,
//! `/usr/lib64/llvm*/lib` and Homebrew's and Xcode's LLVM. A wrong guess
//! costs a build or test failure that names what is missing, nothing worse.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::packages::Probe;

/// Whether `name` is an executable file in one of `PATH`'s directories.
pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| find_in(&path, name).is_some())
}

/// `name` in a `PATH`-style list of directories.
pub fn find_in(path: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|file| is_executable(file))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file() || file.with_extension("exe").is_file()
}

/// Whether the package `probe` describes seems to be installed.
pub fn present(probe: &Probe) -> bool {
    match probe {
        Probe::Command(commands) => commands.iter().any(|c| on_path(c)),
        Probe::Library { name, env } => {
            let named = env.and_then(std::env::var_os).map(PathBuf::from);
            named
                .into_iter()
                .chain(library_dirs())
                .any(|dir| has_library(&dir, name))
        }
        Probe::PythonModule(module) => std::process::Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
    }
}

fn library_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/opt/homebrew/opt/llvm/lib",
        "/usr/local/opt/llvm/lib",
        "/Library/Developer/CommandLineTools/usr/lib",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for parent in ["/usr/lib", "/usr/lib64"] {
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with("-linux-gnu") {
                dirs.push(entry.path());
            } else if name.starts_with("llvm") {
                dirs.push(entry.path().join("lib"));
            }
        }
    }
    dirs
}

fn has_library(dir: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .any(|e| is_library_file(&e.file_name().to_string_lossy(), name))
}

/// `libclang.so`, `libclang.so.1`, `libclang-16.so.1`, `libclang.dylib`;
/// not `libclang-cpp.so` (another library) nor `libclang.a`.
pub fn is_library_file(file: &str, name: &str) -> bool {
    let Some(rest) = file.strip_prefix(name) else {
        return false;
    };
    let versioned = rest
        .strip_prefix('-')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    rest.starts_with(".so") || rest.starts_with(".dylib") || (versioned && rest.contains(".so"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_files_are_told_from_look_alikes() {
        for yes in [
            "libclang.so",
            "libclang.so.1",
            "libclang-16.so.16",
            "libclang.dylib",
        ] {
            assert!(is_library_file(yes, "libclang"), "{yes}");
        }
        for no in [
            "libclang-cpp.so.16",
            "libclang.a",
            "libclangBasic.a",
            "libgomp.so.1",
        ] {
            assert!(!is_library_file(no, "libclang"), "{no}");
        }
        assert!(is_library_file("libgomp.so.1", "libgomp"));
    }

    #[cfg(unix)]
    #[test]
    fn commands_are_found_only_where_path_says_and_only_if_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("xtask-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tool"), "#!/bin/sh\n").unwrap();
        std::fs::write(dir.join("data"), "").unwrap();
        std::fs::set_permissions(dir.join("tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.join("data"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = std::env::join_paths(["/nonexistent", dir.to_str().unwrap()]).unwrap();
        assert_eq!(find_in(&path, "tool"), Some(dir.join("tool")));
        assert_eq!(find_in(&path, "data"), None);
        assert_eq!(find_in(&path, "absent"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
