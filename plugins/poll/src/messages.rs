//! Every text the plugin writes, in French and in English.

use crate::command::{keycap, PollError, VoteError, MAX_ANSWERS};
use crate::config::ResultsMode;
use crate::store::{Poll, Rules};
use crate::time::{format_duration, format_utc};
use poll_tally::{bar, percent_tenths, Outcome};
use vigie_text::Lang;

/// The texts in one language, with the command words to show.
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    /// The language.
    pub lang: Lang,
    /// The poll command word shown (`!sondage`, `!poll`).
    pub poll_cmd: &'a str,
    /// The vote command word shown (`!voter`, `!vote`).
    pub vote_cmd: &'a str,
}

/// Why a vote is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Staff may not vote in this poll.
    Staff,
    /// The account is younger than the minimum.
    TooYoung {
        /// The minimum, in days.
        min_days: u32,
    },
    /// The platform does not tell the account's age and the rules refuse
    /// unknown ages.
    UnknownAge {
        /// The minimum, in days.
        min_days: u32,
    },
    /// None of the required roles.
    MissingRole {
        /// The roles that would do.
        roles: Vec<String>,
    },
}

/// What is wrong with the choices of a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadVote {
    /// Not an answer of this poll.
    NotAnAnswer(u32),
    /// More choices than the poll allows.
    TooMany(usize),
}

/// Why a ballot list is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoList {
    /// The poll is still open.
    StillOpen,
    /// Cancelled.
    Cancelled,
    /// That part was posted a moment ago.
    JustPosted,
    /// No such part.
    NoPart(usize),
    /// Results for the staff only, and the asker is not staff.
    StaffOnly,
}

fn fr(l: Lang) -> bool {
    l == Lang::Fr
}

fn q(lang: Lang, s: &str) -> String {
    if fr(lang) {
        format!("« {s} »")
    } else {
        format!("\"{s}\"")
    }
}

/// `n` and the word: singular for 1, and in French for 0 too.
fn plural(lang: Lang, n: u64, one: &str, many: &str) -> String {
    let singular = n == 1 || (n == 0 && fr(lang));
    format!("{n} {}", if singular { one } else { many })
}

/// `42,9 %` / `42.9%`; `50 %` / `50%` without tenths.
pub fn percent(lang: Lang, tenths: u64) -> String {
    let (whole, tenth) = (tenths / 10, tenths % 10);
    match (fr(lang), tenth) {
        (true, 0) => format!("{whole} %"),
        (true, t) => format!("{whole},{t} %"),
        (false, 0) => format!("{whole}%"),
        (false, t) => format!("{whole}.{t}%"),
    }
}

fn days(lang: Lang, n: u32) -> String {
    match (fr(lang), n) {
        (true, 1) => "1 jour".to_string(),
        (true, n) => format!("{n} jours"),
        (false, 1) => "1 day".to_string(),
        (false, n) => format!("{n} days"),
    }
}

fn list(lang: Lang, items: &[String], and: bool) -> String {
    let word = match (fr(lang), and) {
        (true, true) => " et ",
        (true, false) => " ou ",
        (false, true) => " and ",
        (false, false) => " or ",
    };
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{}{word}{}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// An answer as shown: `2️⃣ Chocolat`.
fn answer(p: &Poll, k: u32) -> String {
    let label = p
        .answers
        .get((k as usize).wrapping_sub(1))
        .map(String::as_str)
        .unwrap_or("?");
    format!("{} {label}", keycap(k as usize))
}

impl Texts<'_> {
    fn fr(&self) -> bool {
        fr(self.lang)
    }

    /// The poll's announcement: question, numbered answers, how to vote,
    /// deadline, options and rules.
    pub fn start(&self, p: &Poll, starter: &str, now: i64) -> String {
        let l = self.lang;
        let mut s = String::new();
        let (n, v) = (p.id, self.vote_cmd);
        if self.fr() {
            s += &format!("📊 Sondage #{n} : {}\n", q(l, &p.question));
        } else {
            s += &format!("📊 Poll #{n}: {}\n", q(l, &p.question));
        }
        for k in 1..=p.answers.len() as u32 {
            s += &answer(p, k);
            s.push('\n');
        }
        let example = p.answers.len().min(2);
        let multi_example = if p.multi > 1 { " 1 3" } else { "" };
        if self.fr() {
            s += &format!(
                "🗳️ Pour voter : réagissez à ce message avec le numéro de votre choix, ou écrivez `{v} {example}` ici \
                 (`{v} #{n} {example}` si plusieurs sondages sont ouverts).\n"
            );
            if p.multi > 1 {
                s += &format!(
                    "✌️ Jusqu'à {} choix par personne (`{v}{multi_example}`) ; chaque réaction ajoute un choix.\n",
                    p.multi
                );
            } else {
                s += "☝️ Un seul choix par personne : un nouveau vote remplace le précédent.\n";
            }
            s += &format!(
                "⏰ Fin le {} (dans {}) · lancé par {starter}\n",
                format_utc(p.deadline_ms, l),
                format_duration(p.deadline_ms.saturating_sub(now), l)
            );
        } else {
            s += &format!(
                "🗳️ To vote: react to this message with the number of your choice, or write `{v} {example}` here \
                 (`{v} #{n} {example}` when several polls are open).\n"
            );
            if p.multi > 1 {
                s += &format!(
                    "✌️ Up to {} choices per person (`{v}{multi_example}`); each reaction adds a choice.\n",
                    p.multi
                );
            } else {
                s += "☝️ One choice per person: a new vote replaces the previous one.\n";
            }
            s += &format!(
                "⏰ Ends on {} (in {}) · started by {starter}\n",
                format_utc(p.deadline_ms, l),
                format_duration(p.deadline_ms.saturating_sub(now), l)
            );
        }
        s += &self.results_rule(p);
        s += &self.privacy(p);
        s += &self.rules(&p.rules);
        if self.fr() {
            s += "🔍 Dépouillement vérifiable : la liste des bulletins et son empreinte SHA-256 seront publiées à la fin (`vigie verify-poll`).";
        } else {
            s += "🔍 Verifiable tally: the ballot list and its SHA-256 will be published at the end (`vigie verify-poll`).";
        }
        s
    }

    fn results_rule(&self, p: &Poll) -> String {
        let c = self.poll_cmd;
        let n = p.id;
        match (p.results, self.fr()) {
            (ResultsMode::Live, true) => {
                format!("📈 Résultats en direct : `{c} résultats #{n}`.\n")
            }
            (ResultsMode::Live, false) => format!("📈 Live results: `{c} results #{n}`.\n"),
            (ResultsMode::End, true) => "📈 Résultats à la clôture.\n".to_string(),
            (ResultsMode::End, false) => "📈 Results when the poll closes.\n".to_string(),
            (ResultsMode::Staff, true) => "📈 Résultats réservés à l'équipe.\n".to_string(),
            (ResultsMode::Staff, false) => "📈 Results for the staff only.\n".to_string(),
        }
    }

    fn privacy(&self, p: &Poll) -> String {
        match (p.anonymous, self.fr()) {
            (true, true) => "🔒 Anonyme : Vigie ne garde aucun lien entre votre identité et votre bulletin, \
                 même pour l'équipe (bulletins pseudonymes, clé effacée à la clôture). \
                 Votre réaction ou votre message reste visible sur la plateforme.\n"
                .to_string(),
            (true, false) => "🔒 Anonymous: Vigie keeps no link between who you are and your ballot, \
                 not even for the staff (pseudonymous ballots, key erased when the poll closes). \
                 Your reaction or message stays visible on the platform.\n"
                .to_string(),
            (false, true) => "👁️ Vote public : vos réactions et messages de vote restent visibles sur la plateforme. \
                 La liste des bulletins publiée à la fin ne nomme personne (bulletins pseudonymes, clé effacée à la clôture).\n"
                .to_string(),
            (false, false) => "👁️ Public vote: your vote reactions and messages stay visible on the platform. \
                 The ballot list published at the end names no one (pseudonymous ballots, key erased when the poll closes).\n"
                .to_string(),
        }
    }

    fn rules(&self, r: &Rules) -> String {
        let l = self.lang;
        let mut parts = vec![if self.fr() {
            "un bulletin par personne".to_string()
        } else {
            "one ballot per person".to_string()
        }];
        if r.min_account_age_days > 0 {
            parts.push(if self.fr() {
                format!(
                    "compte créé depuis au moins {}",
                    days(l, r.min_account_age_days)
                )
            } else {
                format!("account at least {} old", days(l, r.min_account_age_days))
            });
        }
        if !r.required_roles.is_empty() {
            let roles: Vec<String> = r.required_roles.iter().map(|x| q(l, x)).collect();
            parts.push(if self.fr() {
                format!("rôle {} requis", list(l, &roles, false))
            } else {
                format!("role {} required", list(l, &roles, false))
            });
        }
        if !r.staff_can_vote {
            parts.push(if self.fr() {
                "l'équipe ne vote pas".to_string()
            } else {
                "staff do not vote".to_string()
            });
        }
        if self.fr() {
            format!("📋 Règles : {}.\n", parts.join(" · "))
        } else {
            format!("📋 Rules: {}.\n", parts.join(" · "))
        }
    }

    /// The counts: one line per answer with its bar, the winner or the tie,
    /// the number of ballots.
    pub fn counts(&self, p: &Poll, ballots: u64, counts: &[u64]) -> String {
        let l = self.lang;
        let mut s = String::new();
        let sep = if self.fr() { " : " } else { ": " };
        for (i, &c) in counts.iter().enumerate() {
            let k = i as u32 + 1;
            s += &format!(
                "{}{sep}{} ({}) {}\n",
                answer(p, k),
                plural(l, c, "vote", "votes"),
                percent(l, percent_tenths(c, ballots)),
                bar(c, ballots, 10)
            );
        }
        let tally = poll_tally::Tally {
            poll: p.id.to_string(),
            options: counts.len() as u32,
            multi: p.multi,
            ballots,
            counts: counts.to_vec(),
        };
        match (tally.outcome(), self.fr()) {
            (Outcome::NoVotes, true) => s += "Aucun vote.\n",
            (Outcome::NoVotes, false) => s += "No votes.\n",
            (Outcome::Winner { option, votes }, true) => {
                s += &format!(
                    "🏆 En tête : {} ({})\n",
                    answer(p, option),
                    plural(l, votes, "vote", "votes")
                )
            }
            (Outcome::Winner { option, votes }, false) => {
                s += &format!(
                    "🏆 Leading: {} ({})\n",
                    answer(p, option),
                    plural(l, votes, "vote", "votes")
                )
            }
            (Outcome::Tie { options, votes }, true) => {
                let names: Vec<String> = options.iter().map(|&k| answer(p, k)).collect();
                s += &format!(
                    "🤝 Égalité entre {} ({} chacun)\n",
                    list(l, &names, true),
                    plural(l, votes, "vote", "votes")
                )
            }
            (Outcome::Tie { options, votes }, false) => {
                let names: Vec<String> = options.iter().map(|&k| answer(p, k)).collect();
                s += &format!(
                    "🤝 Tie between {} ({} each)\n",
                    list(l, &names, true),
                    plural(l, votes, "vote", "votes")
                )
            }
        }
        if self.fr() {
            s += &format!("🗳️ {}", plural(l, ballots, "bulletin", "bulletins"));
            if p.multi > 1 {
                s += &format!(
                    " · jusqu'à {} choix par bulletin : les pourcentages portent sur les bulletins",
                    p.multi
                );
            }
        } else {
            s += &format!("🗳️ {}", plural(l, ballots, "ballot", "ballots"));
            if p.multi > 1 {
                s += &format!(
                    " · up to {} choices per ballot: percentages are shares of the ballots",
                    p.multi
                );
            }
        }
        s.push('\n');
        s
    }

    /// The current counts of an open poll.
    pub fn current(&self, p: &Poll, ballots: u64, counts: &[u64], now: i64) -> String {
        let l = self.lang;
        let head = if self.fr() {
            format!(
                "📊 Sondage #{} {} — résultats provisoires (fin dans {}) :\n",
                p.id,
                q(l, &p.question),
                format_duration(p.deadline_ms.saturating_sub(now), l)
            )
        } else {
            format!(
                "📊 Poll #{} {} — results so far (ends in {}):\n",
                p.id,
                q(l, &p.question),
                format_duration(p.deadline_ms.saturating_sub(now), l)
            )
        };
        let body = self.counts(p, ballots, counts);
        format!("{head}{body}").trim_end().to_string()
    }

    /// The final results of a closed poll, with what is needed to verify
    /// them. `list_follows`: the ballot list is posted next.
    pub fn end(&self, p: &Poll, list_follows: bool) -> String {
        let l = self.lang;
        let hash = p.ballots_hash.as_deref().unwrap_or("");
        let mut s = if self.fr() {
            format!("🏁 Sondage #{} terminé : {}\n", p.id, q(l, &p.question))
        } else {
            format!("🏁 Poll #{} closed: {}\n", p.id, q(l, &p.question))
        };
        s += &self
            .counts(p, p.ballot_count, &p.counts)
            .replace("🏆 En tête", "🏆 Gagnant")
            .replace("🏆 Leading", "🏆 Winner");
        let c = self.poll_cmd;
        let n = p.id;
        if self.fr() {
            s += "🔍 Dépouillement vérifiable — empreinte SHA-256 de la liste des bulletins :\n";
            s += hash;
            s.push('\n');
            if list_follows {
                s += "La liste suit ; copiez-la dans un fichier (bulletins.txt), puis vérifiez :\n";
            } else {
                s += &format!(
                    "Demandez la liste avec `{c} bulletins #{n}`, copiez-la dans un fichier (bulletins.txt), puis vérifiez :\n"
                );
            }
            s += &format!("vigie verify-poll --ballots bulletins.txt --hash {hash}\n");
        } else {
            s += "🔍 Verifiable tally — SHA-256 of the ballot list:\n";
            s += hash;
            s.push('\n');
            if list_follows {
                s += "The list follows; copy it into a file (ballots.txt), then check:\n";
            } else {
                s += &format!(
                    "Ask for the list with `{c} ballots #{n}`, copy it into a file (ballots.txt), then check:\n"
                );
            }
            s += &format!("vigie verify-poll --ballots ballots.txt --hash {hash}\n");
        }
        s += match (p.anonymous, self.fr()) {
            (true, true) => {
                "🔒 Sondage anonyme : la clé qui reliait les bulletins aux votants est effacée."
            }
            (true, false) => "🔒 Anonymous poll: the key that linked ballots to voters is erased.",
            (false, true) => {
                "👁️ Vote public : les bulletins sont pseudonymes, la clé est effacée ; les votes restent visibles sur la plateforme."
            }
            (false, false) => {
                "👁️ Public vote: the ballots are pseudonymous, the key is erased; the votes stay visible on the platform."
            }
        };
        s
    }

    /// The public notice of a poll whose results go to the staff only.
    pub fn ended_for_staff(&self, p: &Poll) -> String {
        let l = self.lang;
        if self.fr() {
            format!(
                "🏁 Sondage #{} terminé : {} — {}. Les résultats sont transmis à l'équipe.",
                p.id,
                q(l, &p.question),
                plural(l, p.ballot_count, "bulletin", "bulletins")
            )
        } else {
            format!(
                "🏁 Poll #{} closed: {} — {}. The results go to the staff.",
                p.id,
                q(l, &p.question),
                plural(l, p.ballot_count, "ballot", "ballots")
            )
        }
    }

    /// One part of the ballot list, in a code block.
    pub fn ballot_list(&self, p: &Poll, part: usize, parts: usize, chunk: &str) -> String {
        let hash = p.ballots_hash.as_deref().unwrap_or("");
        let head = match (self.fr(), parts) {
            (true, 1) => format!(
                "📋 Bulletins du sondage #{} (SHA-256 {hash}) — à copier tel quel, sans les lignes ``` :",
                p.id
            ),
            (true, n) => format!(
                "📋 Bulletins du sondage #{}, partie {part}/{n} (SHA-256 de la liste entière {hash}) — mettez les parties bout à bout, sans les lignes ``` :",
                p.id
            ),
            (false, 1) => format!(
                "📋 Ballots of poll #{} (SHA-256 {hash}) — copy as is, without the ``` lines:",
                p.id
            ),
            (false, n) => format!(
                "📋 Ballots of poll #{}, part {part}/{n} (SHA-256 of the whole list {hash}) — put the parts end to end, without the ``` lines:",
                p.id
            ),
        };
        format!("{head}\n```\n{chunk}```")
    }

    /// More parts remain.
    pub fn more_parts(&self, p: &Poll, next: usize, parts: usize) -> String {
        let c = self.poll_cmd;
        if self.fr() {
            format!(
                "… parties suivantes : `{c} bulletins #{} {next}` ({parts} parties en tout).",
                p.id
            )
        } else {
            format!(
                "… next parts: `{c} ballots #{} {next}` ({parts} parts in all).",
                p.id
            )
        }
    }

    /// Why no list is sent.
    pub fn no_list(&self, p: &Poll, why: NoList) -> String {
        let n = p.id;
        match (why, self.fr()) {
            (NoList::StillOpen, true) => {
                format!("Le sondage #{n} est encore ouvert : la liste des bulletins sera publiée à la clôture.")
            }
            (NoList::StillOpen, false) => {
                format!("Poll #{n} is still open: the ballot list comes when it closes.")
            }
            (NoList::Cancelled, true) => format!("Le sondage #{n} a été annulé : pas de liste."),
            (NoList::Cancelled, false) => format!("Poll #{n} was cancelled: there is no list."),
            (NoList::JustPosted, true) => {
                format!("La liste du sondage #{n} vient d'être publiée : voyez plus haut.")
            }
            (NoList::JustPosted, false) => {
                format!("The list of poll #{n} was just posted: see above.")
            }
            (NoList::NoPart(parts), true) => {
                format!("La liste du sondage #{n} a {parts} partie(s).")
            }
            (NoList::NoPart(parts), false) => {
                format!("The list of poll #{n} has {parts} part(s).")
            }
            (NoList::StaffOnly, true) => {
                format!("Les résultats du sondage #{n} sont réservés à l'équipe.")
            }
            (NoList::StaffOnly, false) => {
                format!("The results of poll #{n} are for the staff only.")
            }
        }
    }

    /// Results asked while they are hidden until the end.
    pub fn results_at_end(&self, p: &Poll) -> String {
        let l = self.lang;
        if self.fr() {
            format!(
                "Les résultats du sondage #{} seront publiés à la clôture, le {}.",
                p.id,
                format_utc(p.deadline_ms, l)
            )
        } else {
            format!(
                "The results of poll #{} come when it closes, on {}.",
                p.id,
                format_utc(p.deadline_ms, l)
            )
        }
    }

    /// Results of a staff-only poll were sent to the staff.
    pub fn sent_to_staff(&self, p: &Poll) -> String {
        if self.fr() {
            format!("Résultats du sondage #{} transmis à l'équipe.", p.id)
        } else {
            format!("Results of poll #{} sent to the staff.", p.id)
        }
    }

    /// A command about a poll of another channel: the announcement went
    /// there.
    pub fn announced_in(&self, p: &Poll) -> String {
        if self.fr() {
            format!("Sondage #{} : annonce publiée dans #{}.", p.id, p.channel)
        } else {
            format!("Poll #{}: announced in #{}.", p.id, p.channel)
        }
    }

    /// A cancelled poll.
    pub fn cancelled(&self, p: &Poll) -> String {
        let l = self.lang;
        if self.fr() {
            format!(
                "🚫 Sondage #{} annulé : {}. Les bulletins sont effacés, sans résultats.",
                p.id,
                q(l, &p.question)
            )
        } else {
            format!(
                "🚫 Poll #{} cancelled: {}. The ballots are erased, with no results.",
                p.id,
                q(l, &p.question)
            )
        }
    }

    /// A cancelled poll asked for results.
    pub fn was_cancelled(&self, p: &Poll) -> String {
        if self.fr() {
            format!("Le sondage #{} a été annulé : pas de résultats.", p.id)
        } else {
            format!("Poll #{} was cancelled: there are no results.", p.id)
        }
    }

    /// A vote refused.
    pub fn refused(&self, p: &Poll, why: &Refusal, who: Option<&str>) -> String {
        let l = self.lang;
        let to = who.map(|w| format!("{w} — ")).unwrap_or_default();
        let n = p.id;
        let why = match (why, self.fr()) {
            (Refusal::Staff, true) => "l'équipe ne vote pas à ce sondage".to_string(),
            (Refusal::Staff, false) => "staff do not vote in this poll".to_string(),
            (Refusal::TooYoung { min_days }, true) => format!(
                "il faut un compte créé depuis au moins {}",
                days(l, *min_days)
            ),
            (Refusal::TooYoung { min_days }, false) => format!(
                "your account must be at least {} old",
                days(l, *min_days)
            ),
            (Refusal::UnknownAge { min_days }, true) => format!(
                "il faut un compte créé depuis au moins {}, et la plateforme ne donne pas l'âge du vôtre",
                days(l, *min_days)
            ),
            (Refusal::UnknownAge { min_days }, false) => format!(
                "accounts must be at least {} old, and the platform does not tell the age of yours",
                days(l, *min_days)
            ),
            (Refusal::MissingRole { roles }, true) => {
                let r: Vec<String> = roles.iter().map(|x| q(l, x)).collect();
                format!("il faut le rôle {}", list(l, &r, false))
            }
            (Refusal::MissingRole { roles }, false) => {
                let r: Vec<String> = roles.iter().map(|x| q(l, x)).collect();
                format!("it takes the role {}", list(l, &r, false))
            }
        };
        if self.fr() {
            format!("{to}Vote refusé au sondage #{n} : {why}.")
        } else {
            format!("{to}Vote refused in poll #{n}: {why}.")
        }
    }

    /// Why, for the audit trail (no user named).
    pub fn refusal_reason(&self, why: &Refusal) -> &'static str {
        match why {
            Refusal::Staff => "vote refused: staff",
            Refusal::TooYoung { .. } => "vote refused: account too young",
            Refusal::UnknownAge { .. } => "vote refused: account age unknown",
            Refusal::MissingRole { .. } => "vote refused: missing role",
        }
    }

    /// Choices that do not fit the poll.
    pub fn bad_vote(&self, p: &Poll, why: &BadVote) -> String {
        let n = p.id;
        let (v, count) = (self.vote_cmd, p.answers.len());
        match (why, self.fr()) {
            (BadVote::NotAnAnswer(k), true) => format!(
                "{k} n'est pas une réponse du sondage #{n} : choisissez entre 1 et {count} (`{v} 2`)."
            ),
            (BadVote::NotAnAnswer(k), false) => format!(
                "{k} is not an answer of poll #{n}: choose from 1 to {count} (`{v} 2`)."
            ),
            (BadVote::TooMany(k), true) => format!(
                "{k} choix, c'est trop : le sondage #{n} en permet {} au plus.",
                p.multi
            ),
            (BadVote::TooMany(k), false) => format!(
                "{k} choices is too many: poll #{n} allows {} at most.",
                p.multi
            ),
        }
    }

    /// A reaction beyond `multi`.
    pub fn ballot_full(&self, p: &Poll, who: &str) -> String {
        if self.fr() {
            format!(
                "{who} — vous avez déjà {} choix au sondage #{} : retirez une réaction avant d'en ajouter une autre.",
                p.multi, p.id
            )
        } else {
            format!(
                "{who} — you already have {} choices in poll #{}: remove a reaction before adding another.",
                p.multi, p.id
            )
        }
    }

    /// `!vote` alone: how to vote.
    pub fn vote_help(&self, p: &Poll) -> String {
        let v = self.vote_cmd;
        let n = p.id;
        let answers: Vec<String> = (1..=p.answers.len() as u32).map(|k| answer(p, k)).collect();
        if self.fr() {
            format!(
                "Sondage #{n} : {}\nVotez avec `{v} 2` (ou `{v} #{n} 2`), jusqu'à {} choix ; `{v} retirer` retire votre bulletin.",
                answers.join(" · "),
                p.multi
            )
        } else {
            format!(
                "Poll #{n}: {}\nVote with `{v} 2` (or `{v} #{n} 2`), up to {} choice(s); `{v} clear` withdraws your ballot.",
                answers.join(" · "),
                p.multi
            )
        }
    }

    /// No open poll in this channel.
    pub fn no_open_poll(&self) -> String {
        let c = self.poll_cmd;
        if self.fr() {
            format!("Aucun sondage ouvert ici. `{c} liste` montre les sondages ouverts.")
        } else {
            format!("No poll is open here. `{c} list` shows the open polls.")
        }
    }

    /// No poll found (open or closed) for a results or ballots command.
    pub fn no_poll(&self) -> String {
        if self.fr() {
            "Aucun sondage ici. Précisez son numéro : `#n`.".to_string()
        } else {
            "No poll here. Give its number: `#n`.".to_string()
        }
    }

    /// Poll `#n` does not exist.
    pub fn unknown_poll(&self, n: u64) -> String {
        if self.fr() {
            format!("Il n'y a pas de sondage #{n}.")
        } else {
            format!("There is no poll #{n}.")
        }
    }

    /// The poll is closed.
    pub fn closed(&self, p: &Poll) -> String {
        if self.fr() {
            format!("Le sondage #{} est clos.", p.id)
        } else {
            format!("Poll #{} is closed.", p.id)
        }
    }

    /// Several polls are open in the channel (for `end` or `cancel`).
    pub fn which_poll(&self, open: &[(u64, String)]) -> String {
        let items: Vec<String> = open.iter().map(|(n, q)| format!("#{n} ({q})")).collect();
        let c = self.poll_cmd;
        if self.fr() {
            format!(
                "Plusieurs sondages sont ouverts ici : {}. Précisez lequel : `{c} fin #n`.",
                items.join(", ")
            )
        } else {
            format!(
                "Several polls are open here: {}. Say which one: `{c} end #n`.",
                items.join(", ")
            )
        }
    }

    /// The open polls.
    pub fn open_list(&self, open: &[(u64, String, String, i64)]) -> String {
        let l = self.lang;
        if open.is_empty() {
            return if self.fr() {
                "Aucun sondage ouvert.".to_string()
            } else {
                "No poll is open.".to_string()
            };
        }
        let mut s = if self.fr() {
            "📊 Sondages ouverts :\n".to_string()
        } else {
            "📊 Open polls:\n".to_string()
        };
        for (n, question, channel, deadline) in open {
            if self.fr() {
                s += &format!(
                    "• #{n} {} dans #{channel}, fin le {}\n",
                    q(l, question),
                    format_utc(*deadline, l)
                );
            } else {
                s += &format!(
                    "• #{n} {} in #{channel}, ends on {}\n",
                    q(l, question),
                    format_utc(*deadline, l)
                );
            }
        }
        s.trim_end().to_string()
    }

    /// Starting is for the staff.
    pub fn staff_only_start(&self) -> String {
        if self.fr() {
            "Seule l'équipe peut lancer un sondage.".to_string()
        } else {
            "Only the staff can start a poll.".to_string()
        }
    }

    /// Ending or cancelling is for the staff and the poll's creator.
    pub fn not_allowed(&self, p: &Poll) -> String {
        if self.fr() {
            format!(
                "Seuls l'équipe et l'auteur du sondage #{} peuvent le clore ou l'annuler.",
                p.id
            )
        } else {
            format!(
                "Only the staff and the creator of poll #{} can close or cancel it.",
                p.id
            )
        }
    }

    /// Too many polls open.
    pub fn too_many_open(&self, max: u32) -> String {
        if self.fr() {
            format!("Déjà {max} sondages ouverts : clôturez-en un d'abord.")
        } else {
            format!("{max} polls are already open: close one first.")
        }
    }

    /// A duration out of range.
    pub fn bad_duration_range(&self) -> String {
        self.bad_start(if self.fr() {
            "la durée doit être comprise entre 1 minute et 90 jours"
        } else {
            "the duration must be between 1 minute and 90 days"
        })
    }

    fn bad_start(&self, why: &str) -> String {
        let c = self.poll_cmd;
        if self.fr() {
            format!(
                "Sondage non compris : {why}.\nUsage : `{c} « Question ? » « Réponse 1 » « Réponse 2 » 2h` \
                 (2 à {MAX_ANSWERS} réponses entre guillemets, durée comme 30min, 2h, 1j ; options : multi=2, anonyme, résultats=direct|fin|équipe)."
            )
        } else {
            format!(
                "Poll not understood: {why}.\nUsage: `{c} \"Question?\" \"Answer 1\" \"Answer 2\" 2h` \
                 (2 to {MAX_ANSWERS} answers in quotes, duration like 30min, 2h, 1d; options: multi=2, anonymous, results=live|end|staff)."
            )
        }
    }

    /// A `!poll` command that cannot be understood.
    pub fn poll_error(&self, e: &PollError) -> String {
        use PollError as E;
        let f = self.fr();
        let c = self.poll_cmd;
        let why = match e {
            E::UnknownVerb(v) if f => format!(
                "« {v} » n'est pas une commande connue (la question et les réponses vont entre guillemets)"
            ),
            E::UnknownVerb(v) => format!(
                "\"{v}\" is not a known command (the question and the answers go in quotes)"
            ),
            E::MissingQuestion if f => "il manque la question, entre guillemets".into(),
            E::MissingQuestion => "the question is missing, in quotes".into(),
            E::UnclosedQuote if f => "un guillemet n'est pas refermé".into(),
            E::UnclosedQuote => "a quote is not closed".into(),
            E::TooFewAnswers(n) if f => {
                format!("il faut au moins 2 réponses entre guillemets ({n} donnée(s))")
            }
            E::TooFewAnswers(n) => format!("it takes at least 2 answers in quotes ({n} given)"),
            E::TooManyAnswers(n) if f => {
                format!("{n} réponses, c'est trop : {MAX_ANSWERS} au plus")
            }
            E::TooManyAnswers(n) => format!("{n} answers is too many: {MAX_ANSWERS} at most"),
            E::EmptyAnswer(k) if f => format!("la réponse {k} est vide"),
            E::EmptyAnswer(k) => format!("answer {k} is empty"),
            E::DuplicateAnswer(a) if f => format!("la réponse « {a} » apparaît deux fois"),
            E::DuplicateAnswer(a) => format!("the answer \"{a}\" appears twice"),
            E::QuestionTooLong if f => "la question doit faire au plus 300 caractères".into(),
            E::QuestionTooLong => "the question must be at most 300 characters".into(),
            E::AnswerTooLong(k) if f => {
                format!("la réponse {k} doit faire au plus 100 caractères")
            }
            E::AnswerTooLong(k) => format!("answer {k} must be at most 100 characters"),
            E::BadDuration(d) if f => format!("« {d} » n'est pas une durée"),
            E::BadDuration(d) => format!("\"{d}\" is not a duration"),
            E::UnknownOption(o) if f => format!(
                "« {o} » n'est ni une durée ni une option (multi=2, anonyme, résultats=direct|fin|équipe)"
            ),
            E::UnknownOption(o) => format!(
                "\"{o}\" is neither a duration nor an option (multi=2, anonymous, results=live|end|staff)"
            ),
            E::BadMulti(m) if f => format!(
                "multi={m} : il faut un nombre de 1 au nombre de réponses"
            ),
            E::BadMulti(m) => format!("multi={m}: it takes a number from 1 to the number of answers"),
            E::BadResults(r) if f => {
                format!("résultats={r} : choisissez direct, fin ou équipe")
            }
            E::BadResults(r) => format!("results={r}: choose live, end or staff"),
            E::BadPoll(p) if f => format!("« {p} » n'est pas un numéro de sondage"),
            E::BadPoll(p) => format!("\"{p}\" is not a poll number"),
            E::BadPart(p) if f => format!("« {p} » n'est pas un numéro de partie"),
            E::BadPart(p) => format!("\"{p}\" is not a part number"),
        };
        match e {
            E::UnknownVerb(_) | E::BadPoll(_) | E::BadPart(_) if f => {
                format!("Commande non comprise : {why}. `{c} aide` pour l'aide.")
            }
            E::UnknownVerb(_) | E::BadPoll(_) | E::BadPart(_) => {
                format!("Command not understood: {why}. `{c} help` for help.")
            }
            _ => self.bad_start(&why),
        }
    }

    /// A `!vote` command that cannot be understood.
    pub fn vote_error(&self, e: &VoteError) -> String {
        let v = self.vote_cmd;
        match (e, self.fr()) {
            (VoteError::BadChoice(w), true) => format!(
                "« {w} » n'est pas un numéro de réponse. Exemple : `{v} 2`, ou `{v} #3 1 2`."
            ),
            (VoteError::BadChoice(w), false) => {
                format!("\"{w}\" is not an answer number. Example: `{v} 2`, or `{v} #3 1 2`.")
            }
            (VoteError::BadPoll(w), true) => {
                format!("« {w} » n'est pas un numéro de sondage. Exemple : `{v} #3 2`.")
            }
            (VoteError::BadPoll(w), false) => {
                format!("\"{w}\" is not a poll number. Example: `{v} #3 2`.")
            }
        }
    }

    /// The commands.
    pub fn help(&self) -> String {
        let (c, v) = (self.poll_cmd, self.vote_cmd);
        if self.fr() {
            format!(
                "📊 Sondages — commandes :\n\
                 • `{c} « Question ? » « A » « B » « C » 2h` : lance un sondage (2 à {MAX_ANSWERS} réponses ; options `multi=2`, `anonyme`, `résultats=direct|fin|équipe`)\n\
                 • `{v} 2` (`{v} 1 3`, `{v} #4 2`) : vote ; un nouveau vote remplace l'ancien ; `{v} retirer` retire le bulletin\n\
                 • ou réagissez au sondage avec 1️⃣ 2️⃣ … ; retirer la réaction retire ce choix\n\
                 • `{c} résultats [#n]` : les résultats (selon le mode du sondage)\n\
                 • `{c} fin [#n]` / `{c} annuler [#n]` : clôt ou annule (équipe ou auteur)\n\
                 • `{c} bulletins [#n]` : la liste des bulletins d'un sondage clos, pour `vigie verify-poll`\n\
                 • `{c} liste` : les sondages ouverts"
            )
        } else {
            format!(
                "📊 Polls — commands:\n\
                 • `{c} \"Question?\" \"A\" \"B\" \"C\" 2h`: start a poll (2 to {MAX_ANSWERS} answers; options `multi=2`, `anonymous`, `results=live|end|staff`)\n\
                 • `{v} 2` (`{v} 1 3`, `{v} #4 2`): vote; a new vote replaces the old one; `{v} clear` withdraws the ballot\n\
                 • or react to the poll with 1️⃣ 2️⃣ …; removing the reaction withdraws that choice\n\
                 • `{c} results [#n]`: the results (as the poll's mode allows)\n\
                 • `{c} end [#n]` / `{c} cancel [#n]`: close or cancel (staff or creator)\n\
                 • `{c} ballots [#n]`: the ballot list of a closed poll, for `vigie verify-poll`\n\
                 • `{c} list`: the open polls"
            )
        }
    }
}

/// Guesses the language of a poll: the question and answers, French when
/// undecided and the text has French accents or quotes, else `default`.
pub fn guess_lang(text: &str, default: Lang) -> Lang {
    let fr_first = vigie_text::guess_lang(text, Lang::Fr);
    let en_first = vigie_text::guess_lang(text, Lang::En);
    if fr_first == en_first {
        return fr_first;
    }
    if text.contains('«') || text.chars().any(|c| "àâçéèêëîïôùûœ".contains(c)) {
        Lang::Fr
    } else {
        default
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_percentages() {
        assert_eq!(percent(Lang::Fr, 429), "42,9 %");
        assert_eq!(percent(Lang::Fr, 500), "50 %");
        assert_eq!(percent(Lang::En, 429), "42.9%");
        assert_eq!(percent(Lang::En, 1000), "100%");
        assert_eq!(percent(Lang::En, 0), "0%");
    }

    #[test]
    fn guesses_the_language_of_a_poll() {
        assert_eq!(
            guess_lang(
                "Quelle est la meilleure saveur ? Vanille Chocolat",
                Lang::En
            ),
            Lang::Fr
        );
        assert_eq!(
            guess_lang("What is the best flavour? Vanilla Chocolate", Lang::Fr),
            Lang::En
        );
        assert_eq!(
            guess_lang("Café préféré ? Moka Arabica", Lang::En),
            Lang::Fr
        );
        assert_eq!(guess_lang("Mocha? Arabica Robusta", Lang::En), Lang::En);
    }
}
