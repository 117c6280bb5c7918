//! The simulated shell behind `POST /v1/pods/{id}/exec`.
//!
//! Supported: `echo` (with `>`/`>>` redirection), `cat`, `ls`, `pwd`, `cd`-less
//! absolute or `/root`-relative paths, `touch`, `mkdir [-p]`, `rm [-r]`,
//! `python`/`python3 FILE` (prints `ran FILE`) and `python -c 'print("x")'`,
//! `nvidia-smi`, `sleep N` (fractional allowed, honours the timeout),
//! `exit N`, `true`, `false`, `whoami`, `hostname`, `nproc`, `uname`, `env`,
//! joined by `&&` and `;`. Anything else answers exit 127 `<cmd>: command not found`.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// What one exec produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExecOut {
    pub exit_code: i32,
    pub output: String,
    pub error: String,
}

/// A pod's filesystem: its own root plus mounted volumes.
#[derive(Debug, Clone)]
pub(crate) struct PodFs {
    pub root: PathBuf,
    /// (mount path, host directory), longest mount path first.
    pub mounts: Vec<(String, PathBuf)>,
}

/// Normalises an absolute pod path into its components; `None` when the path
/// is relative or climbs with `..`.
pub(crate) fn clean_abs(path: &str) -> Option<Vec<String>> {
    if !path.starts_with('/') || path.contains('\0') {
        return None;
    }
    let mut out = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(s) => out.push(s.to_str()?.to_string()),
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

impl PodFs {
    /// Host path of an absolute pod path.
    pub fn resolve(&self, path: &str) -> Option<PathBuf> {
        let parts = clean_abs(path)?;
        let joined = format!("/{}", parts.join("/"));
        for (mount, dir) in &self.mounts {
            let m = mount.trim_end_matches('/');
            if joined == m {
                return Some(dir.clone());
            }
            if let Some(rest) = joined.strip_prefix(&format!("{m}/")) {
                return Some(dir.join(rest));
            }
        }
        let mut p = self.root.clone();
        for s in parts {
            p.push(s);
        }
        Some(p)
    }
}

/// Context of one exec.
pub(crate) struct Shell {
    pub fs: PodFs,
    pub gpu_type: Option<String>,
    pub gpu_count: u32,
    pub hostname: String,
    pub cpu: u32,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s}")
    }
}

/// Splits on `&&` and `;` outside quotes: (separator-before, command text).
fn split_commands(script: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut and_before = false;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    cur.push(c);
                }
                ';' | '\n' => {
                    out.push((and_before, std::mem::take(&mut cur)));
                    and_before = false;
                }
                '&' if chars.peek() == Some(&'&') => {
                    chars.next();
                    out.push((and_before, std::mem::take(&mut cur)));
                    and_before = true;
                }
                _ => cur.push(c),
            },
        }
    }
    out.push((and_before, cur));
    out.into_iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .collect()
}

/// Splits one command into words, honouring quotes and splitting `>`/`>>`.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    has = true;
                }
                '>' => {
                    if has {
                        out.push(std::mem::take(&mut cur));
                        has = false;
                    }
                    if chars.peek() == Some(&'>') {
                        chars.next();
                        out.push(">>".into());
                    } else {
                        out.push(">".into());
                    }
                }
                c if c.is_whitespace() => {
                    if has {
                        out.push(std::mem::take(&mut cur));
                        has = false;
                    }
                }
                _ => {
                    cur.push(c);
                    has = true;
                }
            },
        }
    }
    if has {
        out.push(cur);
    }
    out
}

const CWD: &str = "/root";

fn abs(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else if p == "." {
        CWD.to_string()
    } else {
        format!("{CWD}/{}", p.trim_start_matches("./"))
    }
}

enum Flow {
    Next(i32),
    Exit(i32),
}

impl Shell {
    /// Runs a script, honouring the timeout.
    pub async fn run(&self, script: &str) -> ExecOut {
        let deadline = Instant::now() + self.timeout;
        let mut out = ExecOut::default();
        let mut last = 0;
        for (and_before, cmd) in split_commands(script) {
            if and_before && last != 0 {
                continue;
            }
            match self.one(&cmd, deadline, &mut out).await {
                Flow::Next(code) => last = code,
                Flow::Exit(code) => {
                    last = code;
                    break;
                }
            }
        }
        out.exit_code = last;
        out
    }

    async fn one(&self, cmd: &str, deadline: Instant, out: &mut ExecOut) -> Flow {
        let mut w = words(cmd);
        // redirection
        let mut redirect: Option<(bool, String)> = None;
        if let Some(pos) = w.iter().position(|x| x == ">" || x == ">>") {
            let append = w[pos] == ">>";
            match w.get(pos + 1) {
                Some(target) => redirect = Some((append, abs(target))),
                None => {
                    out.error
                        .push_str("sh: syntax error near unexpected token `newline'\n");
                    return Flow::Next(2);
                }
            }
            w.truncate(pos);
        }
        let Some(name) = w.first().cloned() else {
            return Flow::Next(0);
        };
        let args: Vec<String> = w[1..].to_vec();
        let mut stdout = String::new();
        let code = match name.as_str() {
            "echo" => {
                let (newline, rest) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, &args[..]),
                };
                stdout.push_str(&rest.join(" "));
                if newline {
                    stdout.push('\n');
                }
                0
            }
            "pwd" => {
                stdout.push_str(CWD);
                stdout.push('\n');
                0
            }
            "true" | ":" => 0,
            "false" => 1,
            "whoami" => {
                stdout.push_str("root\n");
                0
            }
            "hostname" => {
                stdout.push_str(&self.hostname);
                stdout.push('\n');
                0
            }
            "nproc" => {
                let _ = writeln!(stdout, "{}", self.cpu);
                0
            }
            "uname" => {
                stdout.push_str(if args.iter().any(|a| a == "-a") {
                    "Linux podstack 6.8.0-podstack #1 SMP x86_64 GNU/Linux\n"
                } else {
                    "Linux\n"
                });
                0
            }
            "env" => {
                for (k, v) in &self.env {
                    let _ = writeln!(stdout, "{k}={v}");
                }
                0
            }
            "exit" => {
                let code = args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
                return Flow::Exit(code);
            }
            "sleep" => {
                let secs: f64 = match args.first().and_then(|a| a.parse().ok()) {
                    Some(s) if s >= 0.0 && f64::is_finite(s) => s,
                    _ => {
                        out.error.push_str("sleep: invalid time interval\n");
                        return Flow::Next(1);
                    }
                };
                let want = Duration::from_secs_f64(secs.min(1e9));
                let left = deadline.saturating_duration_since(Instant::now());
                if want > left {
                    tokio::time::sleep(left).await;
                    let _ = writeln!(
                        out.error,
                        "command timed out after {}s",
                        fmt_secs(self.timeout)
                    );
                    return Flow::Exit(124);
                }
                tokio::time::sleep(want).await;
                0
            }
            "nvidia-smi" => {
                self.nvidia_smi(&mut stdout);
                0
            }
            "cat" => {
                let mut code = 0;
                for a in &args {
                    let p = abs(a);
                    match self.fs.resolve(&p) {
                        Some(host) if host.is_file() => match tokio::fs::read(&host).await {
                            Ok(b) => stdout.push_str(&String::from_utf8_lossy(&b)),
                            Err(e) => {
                                let _ = writeln!(out.error, "cat: {a}: {e}");
                                code = 1;
                            }
                        },
                        Some(host) if host.is_dir() => {
                            let _ = writeln!(out.error, "cat: {a}: Is a directory");
                            code = 1;
                        }
                        _ => {
                            let _ = writeln!(out.error, "cat: {a}: No such file or directory");
                            code = 1;
                        }
                    }
                }
                code
            }
            "ls" => {
                let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                let targets: Vec<String> = if targets.is_empty() {
                    vec![CWD.to_string()]
                } else {
                    targets.into_iter().cloned().collect()
                };
                let mut code = 0;
                for t in &targets {
                    match self.fs.resolve(&abs(t)) {
                        Some(host) if host.is_dir() => {
                            let mut names: Vec<String> = std::fs::read_dir(&host)
                                .map(|rd| {
                                    rd.filter_map(|e| e.ok())
                                        .map(|e| e.file_name().to_string_lossy().into_owned())
                                        .collect()
                                })
                                .unwrap_or_default();
                            for (m, _) in &self.fs.mounts {
                                let parent = Path::new(m).parent().and_then(|p| p.to_str());
                                if parent == Some(abs(t).trim_end_matches('/'))
                                    || (parent == Some("/") && abs(t) == "/")
                                {
                                    if let Some(n) = Path::new(m).file_name() {
                                        names.push(n.to_string_lossy().into_owned());
                                    }
                                }
                            }
                            names.sort();
                            names.dedup();
                            if targets.len() > 1 {
                                let _ = writeln!(stdout, "{t}:");
                            }
                            for n in names {
                                let _ = writeln!(stdout, "{n}");
                            }
                        }
                        Some(host) if host.is_file() => {
                            let _ = writeln!(stdout, "{t}");
                        }
                        _ => {
                            let _ = writeln!(
                                out.error,
                                "ls: cannot access '{t}': No such file or directory"
                            );
                            code = 2;
                        }
                    }
                }
                code
            }
            "touch" => {
                let mut code = 0;
                for a in &args {
                    if let Err(e) = self.write(&abs(a), b"", true).await {
                        let _ = writeln!(out.error, "touch: cannot touch '{a}': {e}");
                        code = 1;
                    }
                }
                code
            }
            "mkdir" => {
                let mut code = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let ok = match self.fs.resolve(&abs(a)) {
                        Some(h) => tokio::fs::create_dir_all(h).await.is_ok(),
                        None => false,
                    };
                    if !ok {
                        let _ = writeln!(out.error, "mkdir: cannot create directory '{a}'");
                        code = 1;
                    }
                }
                code
            }
            "rm" => {
                let recursive = args.iter().any(|a| a.starts_with('-') && a.contains('r'));
                let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
                let mut code = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let res = match self.fs.resolve(&abs(a)) {
                        Some(h) if h.is_dir() && recursive => tokio::fs::remove_dir_all(h).await,
                        Some(h) if h.is_dir() => Err(std::io::Error::other("Is a directory")),
                        Some(h) => tokio::fs::remove_file(h).await,
                        None => Err(std::io::Error::other("invalid path")),
                    };
                    if let Err(e) = res {
                        if !force {
                            let _ = writeln!(out.error, "rm: cannot remove '{a}': {e}");
                            code = 1;
                        }
                    }
                }
                code
            }
            "python" | "python3" => self.python(&args, &mut stdout, out),
            other => {
                let _ = writeln!(out.error, "{other}: command not found");
                return Flow::Next(127);
            }
        };
        match redirect {
            Some((append, target)) => {
                if let Err(e) = self.write(&target, stdout.as_bytes(), append).await {
                    let _ = writeln!(out.error, "sh: {target}: {e}");
                    return Flow::Next(1);
                }
            }
            None => out.output.push_str(&stdout),
        }
        Flow::Next(code)
    }

    fn python(&self, args: &[String], stdout: &mut String, out: &mut ExecOut) -> i32 {
        match args.first().map(String::as_str) {
            None => {
                stdout.push_str("Python 3.11.9 (simulated)\n");
                0
            }
            Some("--version") | Some("-V") => {
                stdout.push_str("Python 3.11.9\n");
                0
            }
            Some("-c") => {
                let code = args.get(1).cloned().unwrap_or_default();
                for stmt in code.split(['\n', ';']) {
                    let s = stmt.trim();
                    if let Some(inner) = s.strip_prefix("print(").and_then(|r| r.strip_suffix(')'))
                    {
                        let inner = inner.trim().trim_matches(|c| c == '"' || c == '\'');
                        stdout.push_str(inner);
                        stdout.push('\n');
                    } else if let Some(rest) = s.strip_prefix("raise ") {
                        let _ = writeln!(out.error, "Traceback (most recent call last):\n  {rest}");
                        return 1;
                    } else if let Some(n) =
                        s.strip_prefix("exit(").and_then(|r| r.strip_suffix(')'))
                    {
                        return n.trim().parse().unwrap_or(1);
                    }
                }
                0
            }
            Some(file) => {
                let p = abs(file);
                match self.fs.resolve(&p) {
                    Some(h) if h.is_file() => {
                        let _ = writeln!(stdout, "ran {p}");
                        0
                    }
                    _ => {
                        let _ = writeln!(
                            out.error,
                            "python: can't open file '{p}': [Errno 2] No such file or directory"
                        );
                        2
                    }
                }
            }
        }
    }

    async fn write(&self, path: &str, data: &[u8], append: bool) -> std::io::Result<()> {
        let host = self
            .fs
            .resolve(path)
            .ok_or_else(|| std::io::Error::other("invalid path"))?;
        if let Some(parent) = host.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&host)
            .await?;
        tokio::io::AsyncWriteExt::write_all(&mut f, data).await?;
        // A tokio file finishes a write in the background; flush so that the next
        // command (`cat`) sees the data.
        tokio::io::AsyncWriteExt::flush(&mut f).await
    }

    fn nvidia_smi(&self, s: &mut String) {
        let Some(kind) = self.gpu_type.as_deref().filter(|_| self.gpu_count > 0) else {
            s.push_str(
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
            );
            return;
        };
        let (name, mem) = crate::state::gpu(kind)
            .map(|g| (g.1, g.2))
            .unwrap_or((kind, 16));
        s.push_str("+-----------------------------------------------------------------------------------------+\n");
        s.push_str("| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |\n");
        s.push_str("|-----------------------------------------+------------------------+----------------------+\n");
        s.push_str("| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n");
        s.push_str("| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n");
        s.push_str("|=========================================+========================+======================|\n");
        for i in 0..self.gpu_count {
            let _ = writeln!(
                s,
                "| {i:>3}  {name:<34} | 00000000:{:02X}:00.0 Off |                    0 |",
                0x10 + i
            );
            let _ = writeln!(
                s,
                "| N/A   34C    P0             61W /  400W |       1MiB / {:>5}MiB |      0%      Default |",
                mem * 1024
            );
        }
        s.push_str("+-----------------------------------------+------------------------+----------------------+\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        assert_eq!(words("echo 'a b' c>f"), vec!["echo", "a b", "c", ">", "f"]);
        let cmds = split_commands("echo a && echo 'x;y'; false");
        assert_eq!(cmds.len(), 3);
        assert!(cmds[1].0);
        assert!(!cmds[2].0);
        assert_eq!(clean_abs("/a/../b"), None);
        assert_eq!(clean_abs("rel"), None);
        assert_eq!(clean_abs("/a/./b/"), Some(vec!["a".into(), "b".into()]));
    }
}
