//! A minimal SMTP server (RFC 5321) for tests: it speaks the real conversation over TCP and
//! keeps every message it accepts, so delivery is checked the way a mail server sees it. It
//! offers `AUTH PLAIN` (RFC 4954) and accepts any credentials, keeping the last ones it saw.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use base64::Engine;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Received>>>,
    /// The decoded `AUTH PLAIN` response (`authzid\0user\0password`) last received.
    pub credentials: Arc<Mutex<Option<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_refusing(0).await
    }

    /// Like [`Self::start`], but the first `refused` messages are kept and then answered
    /// `451` (a temporary failure), as when a server took a message but its reply was lost:
    /// the sender must try again, and the sink sees the message twice.
    pub async fn start_refusing(refused: usize) -> Self {
        let refused = Arc::new(std::sync::atomic::AtomicUsize::new(refused));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().unwrap().port();
        let messages: Arc<Mutex<Vec<Received>>> = Arc::default();
        let credentials: Arc<Mutex<Option<String>>> = Arc::default();
        let store = messages.clone();
        let seen = credentials.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                let seen = seen.clone();
                let refused = refused.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink.test ESMTP ready\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                        } else if let Some(encoded) = upper.starts_with("AUTH PLAIN ").then(|| &line[11..]) {
                            let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim());
                            *seen.lock().unwrap() = decoded.ok().map(|d| String::from_utf8_lossy(&d).into_owned());
                            b"235 2.7.0 Authentication successful\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = line[10..].trim().to_owned();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().to_owned());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                data.push('\n');
                            }
                            store.lock().unwrap().push(Received {
                                from: from.clone(),
                                to: std::mem::take(&mut to),
                                data,
                            });
                            let refuse = refused
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                                .is_ok();
                            if refuse {
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                b"250 queued\r\n"
                            }
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else if upper == "RSET" || upper == "NOOP" {
                            b"250 OK\r\n"
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            port,
            messages,
            credentials,
            task,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }
}
