//! One limiter for all in-flight requests of a run: additive increase,
//! multiplicative decrease (AIMD), like TCP. It halves on a 429 and grows
//! by one after a run of successes as long as the current limit, never
//! above the configured maximum. It also reads Apple's hourly budget
//! (`X-Rate-Limit: user-hour-lim:N;user-hour-rem:M;`) and slows down as the
//! remainder nears a reserve left for other tools sharing the key.
//!
//! An optional cap of its own (`[apply] hourly_budget`, `--hourly-budget`)
//! bounds the requests this process starts in any rolling hour: the share
//! of a key's budget one job of several takes (Apple's budget is per key,
//! not per process, so jobs that share a key must split it). Whichever of
//! the two runs out first holds requests back: Apple's remainder paces
//! them as above, and with the cap spent the next request waits until the
//! oldest of the last hour's is an hour old.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Parses `user-hour-lim:3600;user-hour-rem:3599;` into (limit, remaining).
pub fn parse_rate_limit(header: &str) -> Option<(u64, u64)> {
    let mut limit = None;
    let mut remaining = None;
    for pair in header.split(';') {
        let Some((name, value)) = pair.trim().split_once(':') else {
            continue;
        };
        let value = value.trim().parse().ok();
        match name.trim() {
            "user-hour-lim" => limit = value,
            "user-hour-rem" => remaining = value,
            _ => {}
        }
    }
    Some((limit?, remaining?))
}

/// A change of the concurrency limit, for reports.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LimitChange {
    pub at_ms: u64,
    pub limit: usize,
}

struct Inner {
    limit: usize,
    in_flight: usize,
    successes: usize,
    /// Apple's last reported (hourly limit, remaining).
    budget: Option<(u64, u64)>,
    /// When the budget is low: no request starts before this.
    next_start: Option<Instant>,
    history: Vec<LimitChange>,
    /// With a cap: when each request of the last hour started, oldest first.
    starts: VecDeque<Instant>,
}

/// The rolling window of the cap.
const HOUR: Duration = Duration::from_secs(3600);

pub struct Limiter {
    max: usize,
    reserve_fraction: f64,
    /// At most this many request starts in any rolling hour.
    cap: Option<u64>,
    started: Instant,
    inner: Mutex<Inner>,
    wake: Notify,
}

/// A slot for one request; freed on drop.
pub struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.inner.lock().expect("limiter").in_flight -= 1;
        self.limiter.wake.notify_waiters();
    }
}

impl Limiter {
    pub fn new(max: usize, reserve_fraction: f64) -> Limiter {
        Limiter::with_cap(max, reserve_fraction, None)
    }

    /// A limiter that also starts at most `cap` requests in any rolling hour.
    pub fn with_cap(max: usize, reserve_fraction: f64, cap: Option<u64>) -> Limiter {
        let max = max.max(1);
        Limiter {
            max,
            reserve_fraction,
            cap: cap.map(|c| c.max(1)),
            started: Instant::now(),
            inner: Mutex::new(Inner {
                limit: max,
                in_flight: 0,
                successes: 0,
                budget: None,
                next_start: None,
                history: vec![LimitChange { at_ms: 0, limit: max }],
                starts: VecDeque::new(),
            }),
            wake: Notify::new(),
        }
    }

    /// Waits for a slot.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait_until = {
                let mut inner = self.inner.lock().expect("limiter");
                let now = Instant::now();
                match inner.next_start.max(self.cap_wait(&mut inner, now)) {
                    Some(t) if t > now => Some(t),
                    _ if inner.in_flight < self.effective_limit(&inner) => {
                        inner.in_flight += 1;
                        if self.cap.is_some() {
                            inner.starts.push_back(now);
                        }
                        inner.next_start = self.pace(&inner).map(|gap| now + gap);
                        return Permit { limiter: self };
                    }
                    _ => None,
                }
            };
            match wait_until {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t.into()) => {}
                        _ = &mut notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// The reserve of the hourly budget left for other tools.
    fn reserve(&self, hourly: u64) -> u64 {
        ((hourly as f64) * self.reserve_fraction).ceil() as u64
    }

    /// With the cap spent: when the oldest start of the last hour leaves
    /// the window. Forgets the starts that left it already.
    fn cap_wait(&self, inner: &mut Inner, now: Instant) -> Option<Instant> {
        let cap = self.cap?;
        while inner.starts.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
            inner.starts.pop_front();
        }
        let oldest = *inner.starts.front()?;
        (inner.starts.len() as u64 >= cap).then(|| oldest + HOUR)
    }

    /// With the cap spent: when the next request may start (an hour
    /// after the oldest of the last hour's), with the cap.
    pub fn cap_spent_until(&self) -> Option<(Instant, u64)> {
        let mut inner = self.inner.lock().expect("limiter");
        let until = self.cap_wait(&mut inner, Instant::now())?;
        Some((until, self.cap?))
    }

    /// The limit, lowered as the hourly budget nears the reserve.
    fn effective_limit(&self, inner: &Inner) -> usize {
        match inner.budget {
            Some((hourly, remaining)) => {
                let reserve = self.reserve(hourly);
                if remaining <= reserve {
                    1
                } else if remaining <= 2 * reserve {
                    (inner.limit / 2).max(1)
                } else {
                    inner.limit
                }
            }
            None => inner.limit,
        }
    }

    /// Below the reserve, requests are spaced at the rate the hourly budget
    /// refills, so the reserve is left for others.
    fn pace(&self, inner: &Inner) -> Option<Duration> {
        let (hourly, remaining) = inner.budget?;
        (remaining <= self.reserve(hourly) && hourly > 0).then(|| Duration::from_secs_f64(3600.0 / hourly as f64))
    }

    fn set_limit(&self, inner: &mut Inner, limit: usize) {
        if limit != inner.limit {
            inner.limit = limit;
            let at_ms = self.started.elapsed().as_millis() as u64;
            inner.history.push(LimitChange { at_ms, limit });
        }
    }

    /// A 429: halve the limit.
    pub fn on_rate_limited(&self) {
        let mut inner = self.inner.lock().expect("limiter");
        let halved = (inner.limit / 2).max(1);
        self.set_limit(&mut inner, halved);
        inner.successes = 0;
    }

    /// A success: after as many successes as the limit, grow by one.
    pub fn on_success(&self) {
        let mut inner = self.inner.lock().expect("limiter");
        inner.successes += 1;
        if inner.successes >= inner.limit && inner.limit < self.max {
            let grown = inner.limit + 1;
            self.set_limit(&mut inner, grown);
            inner.successes = 0;
        }
        drop(inner);
        self.wake.notify_waiters();
    }

    /// Records Apple's `X-Rate-Limit` header.
    pub fn observe_budget(&self, header: &str) {
        if let Some(budget) = parse_rate_limit(header) {
            self.inner.lock().expect("limiter").budget = Some(budget);
        }
    }

    pub fn limit(&self) -> usize {
        self.inner.lock().expect("limiter").limit
    }

    pub fn history(&self) -> Vec<LimitChange> {
        self.inner.lock().expect("limiter").history.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_header_is_parsed() {
        assert_eq!(
            parse_rate_limit("user-hour-lim:3500;user-hour-rem:500;"),
            Some((3500, 500))
        );
        assert_eq!(parse_rate_limit("garbage"), None);
    }

    #[test]
    fn it_halves_on_429_and_grows_back_by_one() {
        let l = Limiter::new(8, 0.05);
        l.on_rate_limited();
        assert_eq!(l.limit(), 4);
        l.on_rate_limited();
        l.on_rate_limited();
        l.on_rate_limited();
        assert_eq!(l.limit(), 1, "never below one");
        for _ in 0..1 {
            l.on_success();
        }
        assert_eq!(l.limit(), 2);
        for _ in 0..100 {
            l.on_success();
        }
        assert_eq!(l.limit(), 8, "never above the maximum");
    }

    #[test]
    fn a_low_budget_leaves_the_reserve() {
        let l = Limiter::new(8, 0.05);
        l.observe_budget("user-hour-lim:3600;user-hour-rem:100;");
        let inner = l.inner.lock().unwrap();
        assert_eq!(l.effective_limit(&inner), 1);
        assert_eq!(l.pace(&inner), Some(Duration::from_secs(1)));
    }

    #[test]
    fn a_cap_never_lets_more_requests_start_in_an_hour() {
        let l = Limiter::with_cap(8, 0.05, Some(100));
        let mut inner = l.inner.lock().unwrap();
        let start = Instant::now();
        for i in 0..99 {
            inner.starts.push_back(start + Duration::from_millis(i));
        }
        let now = start + Duration::from_secs(1);
        assert_eq!(l.cap_wait(&mut inner, now), None, "one of the 100 left");
        assert_eq!(l.effective_limit(&inner), 8, "no slowing down before it is spent");
        inner.starts.push_back(now);
        assert_eq!(
            l.cap_wait(&mut inner, now),
            Some(start + HOUR),
            "spent: wait for the oldest to leave the window"
        );
        let later = start + HOUR + Duration::from_millis(50);
        assert_eq!(l.cap_wait(&mut inner, later), None, "the oldest ones left");
        assert_eq!(inner.starts.len(), 49);
        // Apple's budget still paces as it does without a cap.
        inner.budget = Some((3600, 100));
        assert_eq!(l.effective_limit(&inner), 1);
    }

    #[tokio::test]
    async fn with_the_cap_spent_the_next_request_waits() {
        let l = Limiter::with_cap(8, 0.05, Some(2));
        drop(l.acquire().await);
        drop(l.acquire().await);
        let (until, cap) = l.cap_spent_until().unwrap();
        assert_eq!(cap, 2);
        assert!(until > Instant::now() + Duration::from_secs(3500));
        let third = tokio::time::timeout(Duration::from_millis(100), l.acquire()).await;
        assert!(third.is_err(), "the third request of the hour does not start");
    }

    #[tokio::test]
    async fn no_more_than_the_limit_run_at_once() {
        let l = std::sync::Arc::new(Limiter::new(3, 0.05));
        let a = l.acquire().await;
        let _b = l.acquire().await;
        let _c = l.acquire().await;
        let l2 = l.clone();
        let waiter = tokio::spawn(async move {
            let _d = l2.acquire().await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished());
        drop(a);
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .unwrap()
            .unwrap();
    }
}
