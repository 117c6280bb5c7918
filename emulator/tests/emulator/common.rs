//! Tiny blocking HTTP helper for the emulator's tests.
#![allow(dead_code)]

use podstack_emulator::Emulator;
use serde_json::Value;

/// One answer, fully read.
pub struct Resp {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The message of a plain `{"error": "message"}` body (storage routes).
    pub fn plain_error(&self) -> String {
        self.json()["error"].as_str().unwrap_or("").to_string()
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A client bound to one emulator, token and optional project.
pub struct C {
    pub agent: ureq::Agent,
    pub base: String,
    pub token: Option<String>,
    pub project: Option<String>,
}

impl C {
    pub fn new(emu: &Emulator) -> C {
        C {
            agent: agent(),
            base: emu.endpoint(),
            token: Some(emu.token()),
            project: None,
        }
    }

    /// A client of the platform (storage) service: the demo project is set.
    pub fn platform(emu: &Emulator) -> C {
        C {
            project: Some(emu.project_id()),
            ..C::new(emu)
        }
    }

    pub fn with_token(emu: &Emulator, token: &str) -> C {
        C {
            token: Some(token.to_string()),
            ..C::new(emu)
        }
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        extra: &[(&str, &str)],
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut b = ureq::http::Request::builder().method(method).uri(url);
        if let Some(t) = &self.token {
            b = b.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(p) = &self.project {
            b = b.header("X-Project-Id", p.as_str());
        }
        if !body.is_empty() {
            b = b.header("Content-Type", content_type);
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = b.body(body).expect("request");
        let resp = self.agent.run(req).expect("transport");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        Resp {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.send(method, path, bytes, "application/json", &[])
    }

    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body))
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None)
    }

    /// `multipart/form-data` upload with fields `path` and `file` (in that order
    /// unless `file_first`).
    pub fn form_upload(&self, path: &str, key: &str, data: &[u8], file_first: bool) -> Resp {
        let b = "----podstack-test-boundary-7MA4YWxk";
        let path_part =
            format!("--{b}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{key}\r\n")
                .into_bytes();
        let name = key.rsplit('/').next().unwrap_or(key);
        let mut file_part = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        file_part.extend_from_slice(data);
        file_part.extend_from_slice(b"\r\n");
        let mut body = Vec::new();
        if file_first {
            body.extend(file_part);
            body.extend(path_part);
        } else {
            body.extend(path_part);
            body.extend(file_part);
        }
        body.extend(format!("--{b}--\r\n").into_bytes());
        self.send(
            "POST",
            path,
            body,
            &format!("multipart/form-data; boundary={b}"),
            &[],
        )
    }

    pub fn put_bytes(&self, path: &str, bytes: Vec<u8>) -> Resp {
        self.send("PUT", path, bytes, "application/octet-stream", &[])
    }
}
