//! Uploading a screenshot's or preview's bytes: each of the operations
//! App Store Connect answered a reservation with, sent exactly as given
//! (its method, URL, headers and byte range) to the storage host, with no
//! bearer token: the URL is the permission, and the token must not leave
//! for another host. Parts are read from the file one at a time, so a
//! file is never held in memory whole; a part is retried as any request
//! (429 bursts are common there), and repeating one is safe.

use super::retry::{Failure, Retries};
use super::{Client, ClientError, excerpt};
use reqwest::{Method, Url};
use serde::Deserialize;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// One of a reservation's `uploadOperations`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UploadOperation {
    pub method: String,
    pub url: String,
    pub offset: u64,
    pub length: u64,
    #[serde(default)]
    pub request_headers: Vec<Header>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// Bytes sent so far, for a progress bar.
#[derive(Debug, Default)]
pub struct UploadProgress {
    pub bytes: AtomicU64,
}

impl Client {
    /// Sends one upload operation's bytes of `file`.
    pub async fn upload(
        &self,
        op: &UploadOperation,
        part: usize,
        file: &Path,
        progress: &UploadProgress,
    ) -> Result<(), ClientError> {
        let shown = file.display().to_string();
        let url = Url::parse(&op.url).map_err(|e| ClientError::Storage {
            method: op.method.clone(),
            host: op.url.clone(),
            part,
            file: shown.clone(),
            status: 0,
            excerpt: format!("the operation's URL is not valid: {e}"),
        })?;
        let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::PUT);
        self.requests.fetch_add(1, Ordering::Relaxed);
        let host = url.host_str().unwrap_or_default().to_owned();
        let path = url.path().to_owned();
        let mut retries = Retries::new(&method, &path, &url);
        let sent: Result<(), ClientError> = async {
            loop {
                match self.put_part(&method, &url, op, file, part, &shown).await {
                    Ok(()) => {
                        progress.bytes.fetch_add(op.length, Ordering::Relaxed);
                        return Ok(());
                    }
                    Err(failure) => self.pause(&mut retries, failure).await?,
                }
            }
        }
        .await;
        sent.map_err(|e| match e {
            ClientError::Storage { .. } | ClientError::File { .. } => e,
            other => ClientError::Storage {
                method: op.method.clone(),
                host,
                part,
                file: shown,
                status: 0,
                excerpt: other.to_string(),
            },
        })
    }

    /// One attempt at one part, within the concurrency limit. The part is
    /// read only once a permit is held, so at most as many parts are in
    /// memory as requests are in flight.
    async fn put_part(
        &self,
        method: &Method,
        url: &Url,
        op: &UploadOperation,
        path: &Path,
        part: usize,
        file: &str,
    ) -> Result<(), Failure> {
        let Ok(permit) = tokio::time::timeout_at(self.deadline.into(), self.limiter.acquire()).await else {
            return Err(Failure::OutOfTime);
        };
        let bytes = read_part(path, op.offset, op.length).await.map_err(|e| {
            Failure::Final(ClientError::File {
                file: file.to_owned(),
                reason: e.to_string(),
            })
        })?;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Failure::OutOfTime);
        }
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(self.options.attempt_timeout.min(remaining))
            .body(bytes);
        for h in &op.request_headers {
            request = request.header(&h.name, &h.value);
        }
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let sent = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;
        drop(permit);
        match sent {
            Ok((status, _, _)) if (200..300).contains(&status) => Ok(()),
            Ok((429, headers, _)) => {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
                Err(Failure::Transient {
                    why: "429 from the storage host".into(),
                    after: super::retry::retry_after(&headers),
                    maybe_applied: false,
                })
            }
            Ok((status @ 500..=599, headers, _)) => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
                Err(Failure::Transient {
                    why: format!("{status} from the storage host"),
                    after: super::retry::retry_after(&headers),
                    maybe_applied: false,
                })
            }
            Ok((status, _, body)) => Err(Failure::Final(ClientError::Storage {
                method: method.to_string(),
                host: url.host_str().unwrap_or_default().to_owned(),
                part,
                file: file.to_owned(),
                status,
                excerpt: excerpt(&body),
            })),
            Err(e) => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
                Err(super::retry::transport_failure(&e, false))
            }
        }
    }
}

/// `length` bytes of `file` from `offset`.
async fn read_part(file: &Path, offset: u64, length: u64) -> std::io::Result<Vec<u8>> {
    let mut f = tokio::fs::File::open(file).await?;
    f.seek(std::io::SeekFrom::Start(offset)).await?;
    let mut buffer = vec![0u8; usize::try_from(length).unwrap_or(usize::MAX)];
    f.read_exact(&mut buffer).await?;
    Ok(buffer)
}
