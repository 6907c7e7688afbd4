//! What a phone would have received: every SMS, voice call, WhatsApp message and captcha answer the
//! reference server "sends", every email (PIN reset, email verification) and every callback it
//! would have called (`contract.md` §6.1), readable through `GET /__sandbox/outbox`. Bounded in
//! count and age.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;

/// At most this many messages are kept; the oldest go first.
pub const MAX_MESSAGES: usize = 10_000;
/// Messages older than this (on the server's clock) are dropped.
pub const MAX_AGE_HOURS: i64 = 24;

/// How a message reached the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Voice,
    WaOld,
    Whatsapp,
    Captcha,
    /// An email to the account's address, filed under the number (`contract.md` §6.1).
    Email,
    /// A callback URL the server would have called, filed under the chat (`contract.md` §6.1).
    Callback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub to: String,
    pub channel: Channel,
    pub code: Option<String>,
    pub text: String,
    pub sent_at: String,
}

#[derive(Debug)]
pub struct Outbox {
    /// Oldest first.
    messages: VecDeque<(DateTime<Utc>, Message)>,
    /// Every message ever sent, including those dropped since.
    total: u64,
    /// At most this many messages are kept ([`MAX_MESSAGES`] unless the server was given less).
    cap: usize,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::with_cap(MAX_MESSAGES)
    }
}

impl Outbox {
    pub fn with_cap(cap: usize) -> Self {
        Self { messages: VecDeque::new(), total: 0, cap: cap.max(1) }
    }

    pub fn send(&mut self, now: DateTime<Utc>, to: &str, channel: Channel, code: Option<&str>, text: String) {
        self.sweep(now);
        self.total += 1;
        self.messages.push_back((
            now,
            Message {
                to: to.to_owned(),
                channel,
                code: code.map(str::to_owned),
                text,
                sent_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            },
        ));
        while self.messages.len() > self.cap {
            self.messages.pop_front();
        }
    }

    /// The recipient of every kept message, oldest first.
    pub fn recipients(&self) -> Vec<String> {
        self.messages.iter().map(|(_, m)| m.to.clone()).collect()
    }

    /// How many messages were ever sent.
    pub fn total_sent(&self) -> u64 {
        self.total
    }

    /// The messages sent to `to`, newest first.
    pub fn for_recipient(&mut self, now: DateTime<Utc>, to: &str) -> Vec<Message> {
        self.sweep(now);
        self.messages.iter().rev().filter(|(_, m)| m.to == to).map(|(_, m)| m.clone()).collect()
    }

    fn sweep(&mut self, now: DateTime<Utc>) {
        let cutoff = now - Duration::hours(MAX_AGE_HOURS);
        while self.messages.front().is_some_and(|(at, _)| *at < cutoff) {
            self.messages.pop_front();
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.messages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_per_recipient() {
        let mut outbox = Outbox::default();
        let now = Utc::now();
        outbox.send(now, "1", Channel::Sms, Some("111111"), "one".into());
        outbox.send(now, "2", Channel::Voice, Some("222222"), "two".into());
        outbox.send(now, "1", Channel::Whatsapp, None, "three".into());
        let got = outbox.for_recipient(now, "1");
        assert_eq!(got.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(), ["three", "one"]);
        assert!(outbox.for_recipient(now, "3").is_empty());
    }

    #[test]
    fn bounded_by_count_and_age() {
        let mut outbox = Outbox::default();
        let start = Utc::now();
        for i in 0..MAX_MESSAGES + 5 {
            outbox.send(start, "1", Channel::Sms, None, format!("m{i}"));
        }
        assert_eq!(outbox.len(), MAX_MESSAGES);
        assert_eq!(outbox.total_sent(), MAX_MESSAGES as u64 + 5);
        let later = start + Duration::hours(MAX_AGE_HOURS + 1);
        assert!(outbox.for_recipient(later, "1").is_empty());
        assert_eq!(outbox.len(), 0);
    }
}
