//! Contact channels: the six built in (`phone`, `email`, `chat`, `web`, `social`, `other`)
//! and those a contract or a mapping profile declares (`[[channel]]`: an app, a
//! mini-program, WeChat), each real-time (queued: an unanswered contact is an abandon) or
//! asynchronous (an unanswered contact is merely unanswered). [`Channels`] is a run's table:
//! how each spelling reads, each channel's name and whether it is real-time.
//!
//! This module holds the vocabulary only; it reads no file (the declarations arrive parsed)
//! and computes no KPI.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A contact channel: its position in the run's [`Channels`]. The built-in channels hold
/// the first positions in a fixed order; declared channels follow in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Channel(u8);

impl Channel {
    pub const PHONE: Channel = Channel(0);
    pub const EMAIL: Channel = Channel(1);
    pub const CHAT: Channel = Channel(2);
    pub const WEB: Channel = Channel(3);
    pub const SOCIAL: Channel = Channel(4);
    pub const OTHER: Channel = Channel(5);
    /// The most channels a run may have: the KPI stage packs a channel into 5 bits.
    pub const MAX: usize = 32;

    /// The position in the run's table.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The channel at position `i`, if a table can hold it.
    pub fn at(i: usize) -> Option<Channel> {
        (i < Channel::MAX).then_some(Channel(i as u8))
    }
}

/// The built-in channels: name, real-time, and the other spellings read as them.
const BUILT_IN: [(&str, bool, &[&str]); 6] = [
    ("phone", true, &["电话", "热线", "call", "voice"]),
    ("email", false, &["邮件", "电子邮件", "e-mail", "mail"]),
    ("chat", true, &["在线", "在线客服", "livechat"]),
    ("web", false, &["网页", "工单", "ticket"]),
    ("social", false, &["社交媒体", "微信", "微博"]),
    ("other", false, &["其他"]),
];

/// A `[[channel]]` table of a contract or a mapping profile.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelDecl {
    /// The channel's name in reports and `metrics.json`, and in `[[sla]] channel`.
    pub name: String,
    /// Real-time (queued, can be abandoned) or asynchronous. Required for a new channel;
    /// for a channel already known it may only repeat what is known.
    #[serde(default)]
    pub realtime: Option<bool>,
    /// Other spellings of the channel in exports (matched case-insensitively). A declared
    /// spelling takes over a built-in one (`微信` is `social` until a channel claims it).
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct ChannelDef {
    name: String,
    realtime: bool,
    /// Where it was declared (`None`: built in).
    declared_in: Option<String>,
}

/// A run's channels: the built-in ones and those declared, with every spelling read.
#[derive(Debug, Clone, PartialEq)]
pub struct Channels {
    defs: Vec<ChannelDef>,
    /// Spellings, lower-cased, and the channel each reads as; `true` when declared.
    spellings: HashMap<String, (Channel, bool)>,
}

impl Default for Channels {
    fn default() -> Self {
        let mut t = Channels {
            defs: Vec::new(),
            spellings: HashMap::new(),
        };
        for (i, (name, realtime, aliases)) in BUILT_IN.iter().enumerate() {
            let c = Channel(i as u8);
            t.defs.push(ChannelDef {
                name: name.to_string(),
                realtime: *realtime,
                declared_in: None,
            });
            for s in std::iter::once(name).chain(aliases.iter()) {
                t.spellings.insert(s.to_string(), (c, false));
            }
        }
        t
    }
}

impl Channels {
    /// Add the `[[channel]]` tables of `source` (a contract or profile, named in messages).
    /// Refused: a new channel without `realtime`, `realtime` contradicting a known channel,
    /// a spelling that is another channel's name or another declared channel's alias, and
    /// more than [`Channel::MAX`] channels.
    pub fn declare(
        &mut self,
        decls: &[ChannelDecl],
        source: &str,
    ) -> std::result::Result<(), String> {
        for (i, d) in decls.iter().enumerate() {
            let at = format!("{source}: channel[{i}] (`{}`)", d.name);
            let name = d.name.trim();
            if name.is_empty() {
                return Err(format!("{source}: channel[{i}].name is empty"));
            }
            let c = match self.by_name(name) {
                Some(c) => {
                    let known = &self.defs[c.index()];
                    if d.realtime.is_some_and(|r| r != known.realtime) {
                        return Err(format!(
                            "{at}: `realtime = {}` contradicts `{}`, which is {} ({})",
                            d.realtime.unwrap_or_default(),
                            known.name,
                            if known.realtime {
                                "real-time"
                            } else {
                                "asynchronous"
                            },
                            known.declared_in.as_deref().unwrap_or("built in"),
                        ));
                    }
                    c
                }
                None => self.add(name, d.realtime, &at, source)?,
            };
            for alias in &d.aliases {
                self.alias(c, alias, &at)?;
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        name: &str,
        realtime: Option<bool>,
        at: &str,
        source: &str,
    ) -> std::result::Result<Channel, String> {
        let Some(realtime) = realtime else {
            return Err(format!(
                "{at}: a new channel needs `realtime = true` (queued: an unanswered contact is abandoned) or `realtime = false` (asynchronous: it is unanswered)"
            ));
        };
        let c = Channel::at(self.defs.len())
            .ok_or_else(|| format!("{at}: more than {} channels in all", Channel::MAX))?;
        self.defs.push(ChannelDef {
            name: name.to_string(),
            realtime,
            declared_in: Some(source.to_string()),
        });
        self.alias(c, name, at)?;
        Ok(c)
    }

    /// Read `spelling` as `c`: it may take over a built-in alias, not a name or a declared
    /// alias of another channel.
    fn alias(&mut self, c: Channel, spelling: &str, at: &str) -> std::result::Result<(), String> {
        let key = fold(spelling);
        if key.is_empty() {
            return Err(format!("{at}: an empty alias"));
        }
        if let Some(&(other, declared)) = self.spellings.get(&key) {
            if other != c && (declared || self.is_name(other, &key)) {
                return Err(format!(
                    "{at}: `{spelling}` already reads as `{}`; to read a value of one export otherwise, use `map` in its profile's [columns.channel]",
                    self.name(other)
                ));
            }
        }
        self.spellings.insert(key, (c, true));
        Ok(())
    }

    fn is_name(&self, c: Channel, key: &str) -> bool {
        fold(&self.defs[c.index()].name) == key
    }

    fn by_name(&self, name: &str) -> Option<Channel> {
        let key = fold(name);
        (0..self.defs.len())
            .map(|i| Channel(i as u8))
            .find(|&c| self.is_name(c, &key))
    }

    /// The channel a value reads as (its name or an alias, in any case), if any.
    pub fn parse(&self, s: &str) -> Option<Channel> {
        // A name as it is: the common case, without folding.
        if let Some(i) = self.defs.iter().position(|d| d.name == s) {
            return Some(Channel(i as u8));
        }
        self.spellings.get(&fold(s)).map(|&(c, _)| c)
    }

    /// The channel's name.
    pub fn name(&self, c: Channel) -> &str {
        self.defs.get(c.index()).map_or("other", |d| &d.name)
    }

    /// Whether an unanswered contact on `c` is an abandon (the customer gave up waiting);
    /// on the others it is merely unanswered.
    pub fn is_realtime(&self, c: Channel) -> bool {
        self.defs.get(c.index()).is_some_and(|d| d.realtime)
    }

    /// Every channel, in table order.
    pub fn all(&self) -> impl Iterator<Item = Channel> + '_ {
        (0..self.defs.len()).map(|i| Channel(i as u8))
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The names, for messages that list what is accepted.
    pub fn expected(&self) -> String {
        self.names().collect::<Vec<_>>().join(", ")
    }

    /// The names, in table order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.defs.iter().map(|d| d.name.as_str())
    }

    /// The declared channels: name, real-time, where declared (for the Method sheet).
    pub fn declared(&self) -> impl Iterator<Item = (&str, bool, &str)> + '_ {
        self.defs.iter().filter_map(|d| {
            d.declared_in
                .as_deref()
                .map(|s| (d.name.as_str(), d.realtime, s))
        })
    }
}

/// Whether `name` is a built-in channel's name (whose label a text table gives; a declared
/// channel is shown by its name).
pub fn is_built_in(name: &str) -> bool {
    BUILT_IN.iter().any(|(n, _, _)| *n == name)
}

/// A spelling as compared: trimmed and lower-cased.
fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(name: &str, realtime: Option<bool>, aliases: &[&str]) -> ChannelDecl {
        ChannelDecl {
            name: name.into(),
            realtime,
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn built_in_channels_read_their_spellings() {
        let t = Channels::default();
        assert_eq!(t.parse("PHONE"), Some(Channel::PHONE));
        assert_eq!(t.parse("邮件"), Some(Channel::EMAIL));
        assert_eq!(t.parse(" 微信 "), Some(Channel::SOCIAL));
        assert_eq!(t.parse("fax"), None);
        assert!(t.is_realtime(Channel::PHONE) && t.is_realtime(Channel::CHAT));
        assert!(!t.is_realtime(Channel::EMAIL) && !t.is_realtime(Channel::WEB));
        assert_eq!(t.expected(), "phone, email, chat, web, social, other");
    }

    #[test]
    fn declared_channels_follow_and_take_over_built_in_aliases() {
        let mut t = Channels::default();
        t.declare(
            &[
                decl("app", Some(true), &["APP", "手机APP"]),
                decl("wechat", Some(false), &["微信", "公众号"]),
            ],
            "contract.toml",
        )
        .unwrap();
        let app = t.parse("手机app").unwrap();
        assert_eq!(
            (app.index(), t.name(app), t.is_realtime(app)),
            (6, "app", true)
        );
        let wechat = t.parse("微信").unwrap();
        assert_eq!((wechat.index(), t.is_realtime(wechat)), (7, false));
        // 微博 is still social; a profile adds a spelling to a known channel.
        assert_eq!(t.parse("微博"), Some(Channel::SOCIAL));
        t.declare(&[decl("APP", None, &["小程序"])], "p.toml")
            .unwrap();
        assert_eq!(t.parse("小程序"), Some(app));
        assert_eq!(
            t.expected(),
            "phone, email, chat, web, social, other, app, wechat"
        );
        let declared: Vec<_> = t.declared().collect();
        assert_eq!(
            declared,
            [
                ("app", true, "contract.toml"),
                ("wechat", false, "contract.toml")
            ]
        );
    }

    #[test]
    fn contradictions_and_ambiguities_are_refused() {
        let mut t = Channels::default();
        let e = t
            .declare(&[decl("kiosk", None, &[])], "p.toml")
            .unwrap_err();
        assert!(e.contains("needs `realtime = true`"), "{e}");
        let e = t
            .declare(&[decl("phone", Some(false), &[])], "p.toml")
            .unwrap_err();
        assert!(
            e.contains("contradicts `phone`, which is real-time (built in)"),
            "{e}"
        );
        let e = t
            .declare(&[decl("tickets", Some(false), &["Phone"])], "p.toml")
            .unwrap_err();
        assert!(
            e.contains("`Phone` already reads as `phone`") && e.contains("map"),
            "{e}"
        );
        let mut t = Channels::default();
        let e = t
            .declare(
                &[
                    decl("app", Some(true), &["m"]),
                    decl("mini", Some(false), &["M"]),
                ],
                "c.toml",
            )
            .unwrap_err();
        assert!(e.contains("`M` already reads as `app`"), "{e}");
        let mut t = Channels::default();
        let many: Vec<_> = (0..27)
            .map(|i| decl(&format!("c{i}"), Some(false), &[]))
            .collect();
        let e = t.declare(&many, "c.toml").unwrap_err();
        assert!(e.contains("more than 32 channels"), "{e}");
    }
}
