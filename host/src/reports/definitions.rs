//! Every KPI's definition: its id, version, unit, and its formula in words,
//! in English and French. A report carries the definitions it used, so a
//! figure can be recomputed by hand and two reports compared only when
//! their versions agree. Change a formula: raise its version.

use serde::{Deserialize, Serialize};

/// The language of a report's titles and formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Fr,
}

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// A share, 0 to 1.
    Share,
    /// Per message.
    Rate,
    Seconds,
    /// A sentiment score, −1 to 1.
    Score,
    /// A table or a series, not one figure.
    Table,
}

/// A definition as the catalogue holds it, in both languages.
pub(crate) struct Def {
    pub id: &'static str,
    pub version: u32,
    pub unit: Unit,
    /// English, French.
    pub title: [&'static str; 2],
    pub formula: [&'static str; 2],
}

/// A definition as a report prints it, in the report's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub id: String,
    pub version: u32,
    pub unit: Unit,
    pub title: String,
    pub formula: String,
}

impl Def {
    pub fn in_lang(&self, lang: Lang) -> Definition {
        let i = match lang {
            Lang::En => 0,
            Lang::Fr => 1,
        };
        Definition {
            id: self.id.to_string(),
            version: self.version,
            unit: self.unit,
            title: self.title[i].to_string(),
            formula: self.formula[i].to_string(),
        }
    }
}

/// The catalogue, in the order reports show it.
pub(crate) const CATALOGUE: &[Def] = &[
    // Activity.
    Def {
        id: "activity.messages",
        version: 1,
        unit: Unit::Count,
        title: ["Messages", "Messages"],
        formula: [
            "Events of kind message or mention whose time is in the period (staff included; edits, deletions, direct messages, the bot's own posts and web mentions from the feed connector excluded).",
            "Événements de type message ou mention dont l'heure est dans la période (équipe comprise ; modifications, suppressions, messages privés, messages du bot et mentions web du connecteur feed exclus).",
        ],
    },
    Def {
        id: "activity.active_members",
        version: 1,
        unit: Unit::Count,
        title: ["Active members", "Membres actifs"],
        formula: [
            "Distinct authors, not staff, of the period's messages. By day: distinct authors of that day's messages.",
            "Auteurs distincts, hors équipe, des messages de la période. Par jour : auteurs distincts des messages du jour.",
        ],
    },
    Def {
        id: "activity.new_members",
        version: 1,
        unit: Unit::Count,
        title: ["New members", "Nouveaux membres"],
        formula: [
            "Distinct non-staff users who joined in the period, or whose first message in the whole log is in the period; counted on the day of the earlier of the two.",
            "Utilisateurs distincts hors équipe arrivés (join) dans la période, ou dont le premier message de tout le journal est dans la période ; comptés le jour du premier des deux.",
        ],
    },
    Def {
        id: "activity.departures",
        version: 1,
        unit: Unit::Count,
        title: ["Departures", "Départs"],
        formula: [
            "Events of kind leave in the period.",
            "Événements de type leave (départ) dans la période.",
        ],
    },
    Def {
        id: "activity.heatmap",
        version: 1,
        unit: Unit::Table,
        title: ["Messages by weekday and hour", "Messages par jour de semaine et heure"],
        formula: [
            "The period's messages counted by weekday (Monday first) and hour of their time in the report's time zone.",
            "Les messages de la période comptés par jour de la semaine (lundi d'abord) et heure, dans le fuseau du rapport.",
        ],
    },
    // Engagement.
    Def {
        id: "engagement.reactions_per_message",
        version: 1,
        unit: Unit::Rate,
        title: ["Reactions per message", "Réactions par message"],
        formula: [
            "Events of kind reaction in the period ÷ messages in the period.",
            "Événements de type réaction dans la période ÷ messages de la période.",
        ],
    },
    Def {
        id: "engagement.replies_per_message",
        version: 1,
        unit: Unit::Rate,
        title: ["Replies per message", "Réponses par message"],
        formula: [
            "Messages of the period that reply to another message (reply_to set) ÷ messages in the period.",
            "Messages de la période qui répondent à un autre (reply_to renseigné) ÷ messages de la période.",
        ],
    },
    Def {
        id: "engagement.active_share",
        version: 1,
        unit: Unit::Share,
        title: ["Share of members active", "Part des membres actifs"],
        formula: [
            "Active members ÷ members: non-staff users with any event in the period, or with one before it who had not left (their last join or leave before the period is not a leave).",
            "Membres actifs ÷ membres : utilisateurs hors équipe ayant un événement dans la période, ou un avant elle sans être partis depuis (leur dernier join ou leave avant la période n'est pas un départ).",
        ],
    },
    Def {
        id: "engagement.top_channels",
        version: 1,
        unit: Unit::Table,
        title: ["Top channels", "Salons les plus actifs"],
        formula: [
            "Messages of the period by channel, most first (ties by name).",
            "Messages de la période par salon, les plus nombreux d'abord (à égalité, par nom).",
        ],
    },
    Def {
        id: "engagement.top_contributors",
        version: 1,
        unit: Unit::Table,
        title: ["Top contributors", "Principaux contributeurs"],
        formula: [
            "Messages of the period by non-staff author, most first; names replaced by stable pseudonyms with --pseudonymise.",
            "Messages de la période par auteur hors équipe, les plus nombreux d'abord ; noms remplacés par des pseudonymes stables avec --pseudonymise.",
        ],
    },
    // Responsiveness.
    Def {
        id: "responsiveness.questions",
        version: 1,
        unit: Unit::Count,
        title: ["Questions", "Questions"],
        formula: [
            "Messages of the period by non-staff authors that contain a question mark followed by a space or the end of the text, or that the FAQ plugin answered or flagged (an action whose reason starts with \"faq:\").",
            "Messages de la période d'auteurs hors équipe qui contiennent un point d'interrogation suivi d'une espace ou de la fin du texte, ou auxquels le plugin FAQ a répondu ou qu'il a signalés (action dont la raison commence par « faq: »).",
        ],
    },
    Def {
        id: "responsiveness.answered_by_faq",
        version: 1,
        unit: Unit::Count,
        title: ["Answered by the FAQ plugin", "Répondues par le plugin FAQ"],
        formula: [
            "Questions whose first answer is a reply of the FAQ plugin; its time is when the platform confirmed it (audit log), or the question's own time when it was not executed on a platform.",
            "Questions dont la première réponse vient du plugin FAQ ; son heure est celle de la confirmation de la plateforme (journal d'audit), ou celle de la question si elle n'a pas été exécutée sur une plateforme.",
        ],
    },
    Def {
        id: "responsiveness.answered_by_staff",
        version: 1,
        unit: Unit::Count,
        title: ["Answered by staff", "Répondues par l'équipe"],
        formula: [
            "Questions whose first answer is a message of a staff member replying to it (reply_to the question).",
            "Questions dont la première réponse est un message d'un membre de l'équipe qui y répond (reply_to la question).",
        ],
    },
    Def {
        id: "responsiveness.answered_by_members",
        version: 1,
        unit: Unit::Count,
        title: ["Answered by members", "Répondues par des membres"],
        formula: [
            "Questions whose first answer is a message of another, non-staff member replying to it.",
            "Questions dont la première réponse est un message d'un autre membre, hors équipe, qui y répond.",
        ],
    },
    Def {
        id: "responsiveness.unanswered",
        version: 1,
        unit: Unit::Count,
        title: ["Unanswered questions", "Questions sans réponse"],
        formula: [
            "Questions with no answer of any of the kinds above anywhere in the log; listed.",
            "Questions sans aucune réponse des types ci-dessus dans tout le journal ; listées.",
        ],
    },
    Def {
        id: "responsiveness.first_answer_median",
        version: 1,
        unit: Unit::Seconds,
        title: ["Time to first answer, median", "Délai de première réponse, médiane"],
        formula: [
            "Median of (first answer's time − question's time) over answered questions (mean of the two middle values for an even count).",
            "Médiane de (heure de la première réponse − heure de la question) sur les questions répondues (moyenne des deux valeurs centrales pour un nombre pair).",
        ],
    },
    Def {
        id: "responsiveness.first_answer_p90",
        version: 1,
        unit: Unit::Seconds,
        title: ["Time to first answer, 90th percentile", "Délai de première réponse, 90e centile"],
        formula: [
            "90th percentile, nearest rank, of the same delays: the ⌈0.9 n⌉-th smallest.",
            "90e centile, au rang le plus proche, des mêmes délais : le ⌈0,9 n⌉-ième plus petit.",
        ],
    },
    Def {
        id: "responsiveness.staff_answer_median",
        version: 1,
        unit: Unit::Seconds,
        title: ["Time to a staff answer, median", "Délai de réponse de l'équipe, médiane"],
        formula: [
            "Median delay over the questions answered first by staff.",
            "Délai médian sur les questions dont la première réponse vient de l'équipe.",
        ],
    },
    Def {
        id: "responsiveness.deflection",
        version: 1,
        unit: Unit::Share,
        title: ["Deflection (answered automatically)", "Déflexion (réponses automatiques)"],
        formula: [
            "Questions answered by the FAQ plugin ÷ questions.",
            "Questions répondues par le plugin FAQ ÷ questions.",
        ],
    },
    // Moderation.
    Def {
        id: "moderation.actions",
        version: 1,
        unit: Unit::Count,
        title: ["Moderation actions", "Actions de modération"],
        formula: [
            "Decided actions of kind delete, flag, timeout, kick or ban for events (or ticks) of the period, whether executed, held or rejected later; by kind and by rule (the reason up to its first colon).",
            "Actions décidées de type delete, flag, timeout, kick ou ban pour les événements (ou ticks) de la période, exécutées, retenues ou rejetées ensuite ; par type et par règle (la raison jusqu'à son premier deux-points).",
        ],
    },
    Def {
        id: "moderation.repeat_offenders",
        version: 1,
        unit: Unit::Count,
        title: ["Repeat offenders", "Récidivistes"],
        formula: [
            "Users targeted by at least 2 moderation actions of the period (the user the action names, or the author of the message it acts on).",
            "Utilisateurs visés par au moins 2 actions de modération de la période (l'utilisateur nommé par l'action, ou l'auteur du message visé).",
        ],
    },
    Def {
        id: "moderation.reviews_decided",
        version: 1,
        unit: Unit::Count,
        title: ["Review decisions", "Décisions de revue"],
        formula: [
            "Review-queue items (held actions and flags) about the period's events that a moderator decided: approved, rejected or replaced (those still waiting are shown as pending).",
            "Éléments de la file de revue (actions retenues et signalements) portant sur les événements de la période et décidés par un modérateur : approuvés, rejetés ou remplacés (ceux en attente sont montrés à part).",
        ],
    },
    Def {
        id: "moderation.overturn_rate",
        version: 1,
        unit: Unit::Share,
        title: ["Review overturn rate", "Taux d'infirmation en revue"],
        formula: [
            "Rejected review decisions ÷ review decisions: the measured false-positive rate of what plugins sent to review.",
            "Décisions de revue rejetées ÷ décisions de revue : le taux de faux positifs mesuré de ce que les plugins envoient en revue.",
        ],
    },
    Def {
        id: "moderation.shadow_actions",
        version: 1,
        unit: Unit::Count,
        title: ["Shadow actions (not executed)", "Actions en mode ombre (non exécutées)"],
        formula: [
            "Actions other than label and stop that shadow plugins would have taken for the period's events.",
            "Actions autres que label et stop que les plugins en mode ombre auraient prises pour les événements de la période.",
        ],
    },
    // Mood.
    Def {
        id: "mood.mean",
        version: 1,
        unit: Unit::Score,
        title: ["Mean sentiment", "Sentiment moyen"],
        formula: [
            "Mean of the `sentiment` label (−1 to 1) of the period's messages that carry one (the last label a plugin gave each message); by day too.",
            "Moyenne du label `sentiment` (−1 à 1) des messages de la période qui en ont un (le dernier donné par un plugin) ; par jour aussi.",
        ],
    },
    Def {
        id: "mood.negative_share",
        version: 1,
        unit: Unit::Share,
        title: ["Negative share", "Part négative"],
        formula: [
            "Labelled messages with sentiment below −0.3 (the sentiment plugin's default bad-buzz threshold) ÷ labelled messages.",
            "Messages labellisés dont le sentiment est inférieur à −0,3 (seuil de bad buzz par défaut du plugin sentiment) ÷ messages labellisés.",
        ],
    },
    Def {
        id: "mood.alerts",
        version: 1,
        unit: Unit::Count,
        title: ["Bad-buzz alerts", "Alertes bad buzz"],
        formula: [
            "Decided alert actions whose reason mentions \"bad buzz\", for events or ticks of the period; marked on the day they were raised.",
            "Actions alert décidées dont la raison mentionne « bad buzz », pour les événements ou ticks de la période ; marquées le jour où elles ont été levées.",
        ],
    },
    // Veille: the watch plugin's topics.
    Def {
        id: "veille.mentions",
        version: 1,
        unit: Unit::Count,
        title: ["Topic mentions", "Mentions des sujets"],
        formula: [
            "Events of the period labelled watch.topic by the watch plugin (web mentions, and chat messages when the plugin matches them), each counted once however many topics it matched.",
            "Événements de la période labellisés watch.topic par le plugin watch (mentions web, et messages du chat quand le plugin les lit), chacun compté une fois quel que soit le nombre de sujets trouvés.",
        ],
    },
    Def {
        id: "veille.negative_share",
        version: 1,
        unit: Unit::Share,
        title: ["Negative share of mentions", "Part négative des mentions"],
        formula: [
            "Topic mentions whose sentiment label is ≤ −0.05 (the watch plugin's default) ÷ topic mentions with a sentiment label.",
            "Mentions des sujets dont le label sentiment est ≤ −0,05 (valeur par défaut du plugin watch) ÷ mentions des sujets ayant un label sentiment.",
        ],
    },
    Def {
        id: "veille.alerts",
        version: 1,
        unit: Unit::Count,
        title: ["Veille alerts", "Alertes de veille"],
        formula: [
            "Decided alert actions of the watch plugin (reason starting with \"watch:\": a matched topic that notifies, a negative mention from an important source, a spike, a jump of the negative share) for events of the period.",
            "Actions alert décidées par le plugin watch (raison commençant par « watch: » : sujet qui notifie, mention négative d'une source importante, pic, hausse de la part négative) pour les événements de la période.",
        ],
    },
    Def {
        id: "veille.share_of_voice",
        version: 1,
        unit: Unit::Table,
        title: ["Share of voice", "Part de voix"],
        formula: [
            "Per topic (brand, product, competitor): events of the period it matched (watch.topic labels with that topic as note); its share = its mentions ÷ the sum over all topics (an event matching two topics counts for both); positive ≥ 0.05 and negative ≤ −0.05 by the event's sentiment label; by day in the report's time zone.",
            "Par sujet (marque, produit, concurrent) : événements de la période qu'il a trouvés (labels watch.topic avec ce sujet en note) ; sa part = ses mentions ÷ la somme sur tous les sujets (un événement trouvé par deux sujets compte pour les deux) ; positif ≥ 0,05 et négatif ≤ −0,05 selon le label sentiment de l'événement ; par jour dans le fuseau du rapport.",
        ],
    },
    Def {
        id: "publications.posts",
        version: 1,
        unit: Unit::Count,
        title: ["Scheduled posts published", "Publications programmées publiées"],
        formula: [
            "Posts of the schedule plugin (reason starting with \"scheduled post\") that a platform confirmed in the period (audit log).",
            "Publications du plugin schedule (raison commençant par « scheduled post ») qu'une plateforme a confirmées dans la période (journal d'audit).",
        ],
    },
    Def {
        id: "publications.reactions_24h",
        version: 1,
        unit: Unit::Rate,
        title: ["Reactions per post, first 24 h", "Réactions par publication, premières 24 h"],
        formula: [
            "Reactions to a published post (reaction events whose target is the message the platform created) in the 24 h after it was confirmed, averaged over the period's posts whose platform gives message ids (not IRC).",
            "Réactions à une publication (événements réaction visant le message créé par la plateforme) dans les 24 h suivant sa confirmation, en moyenne sur les publications de la période dont la plateforme donne des identifiants de message (pas IRC).",
        ],
    },
    Def {
        id: "publications.replies_24h",
        version: 1,
        unit: Unit::Rate,
        title: ["Replies per post, first 24 h", "Réponses par publication, premières 24 h"],
        formula: [
            "Messages replying to a published post in the 24 h after it was confirmed, averaged over the period's posts whose platform gives message ids (not IRC).",
            "Messages répondant à une publication dans les 24 h suivant sa confirmation, en moyenne sur les publications de la période dont la plateforme donne des identifiants de message (pas IRC).",
        ],
    },
    Def {
        id: "publications.reach",
        version: 1,
        unit: Unit::Table,
        title: ["Each post's reach", "Portée de chaque publication"],
        formula: [
            "Per published post: its schedule id, community, channel, time, and the reactions and replies it drew in its first 24 h (empty where the platform gives no message id).",
            "Par publication : son identifiant dans le plugin schedule, sa communauté, son salon, son heure, et les réactions et réponses reçues dans ses premières 24 h (vides quand la plateforme ne donne pas d'identifiant de message).",
        ],
    },
    Def {
        id: "contests.run",
        version: 1,
        unit: Unit::Count,
        title: ["Contests and polls", "Concours et sondages"],
        formula: [
            "Contests (giveaway plugin) and polls (poll plugin) that took entries or votes during the period: their entry window, from their start to their deadline (or to their end or cancellation when earlier), meets the period. Read from the plugins' stored state.",
            "Concours (plugin giveaway) et sondages (plugin poll) ouverts aux participations pendant la période : leur fenêtre de participation, de leur début à leur échéance (ou à leur fin ou annulation si plus tôt), rencontre la période. Lus dans l'état enregistré des plugins.",
        ],
    },
    Def {
        id: "contests.entries",
        version: 1,
        unit: Unit::Count,
        title: ["Contest entries and poll ballots", "Participations aux concours et votes"],
        formula: [
            "Sum over the period's contests and polls of their entries (giveaway: people who entered, each once) and ballots (poll), as of the report (so far, for those still running).",
            "Somme, sur les concours et sondages de la période, de leurs participations (concours : personnes inscrites, une fois chacune) et bulletins (sondage), au moment du rapport (jusqu'ici pour ceux en cours).",
        ],
    },
    Def {
        id: "contests.new_members",
        version: 1,
        unit: Unit::Count,
        title: ["New members during contests", "Nouveaux membres pendant les concours"],
        formula: [
            "Distinct non-staff members new to a community (a join, or their first message in the whole log, as for activity.new_members) while one of its contests or polls took entries, counted within the period.",
            "Membres distincts (hors équipe) nouveaux dans une communauté (arrivée, ou premier message de tout le journal, comme pour activity.new_members) pendant qu'un de ses concours ou sondages prenait des participations, comptés dans la période.",
        ],
    },
    Def {
        id: "contests.table",
        version: 1,
        unit: Unit::Table,
        title: ["Each contest and poll", "Chaque concours et sondage"],
        formula: [
            "Per contest or poll of the period: its kind, community, number, prize or question, channel, status, entry window, entries or ballots, the members new to its community during its window (same definition as contests.new_members, not limited to the period), and its result: the winners of the draw, or each answer's ballots once the poll ended.",
            "Par concours ou sondage de la période : son type, sa communauté, son numéro, son lot ou sa question, son salon, son état, sa fenêtre de participation, ses participations ou bulletins, les membres nouveaux dans sa communauté pendant sa fenêtre (même définition que contests.new_members, sans limite à la période), et son résultat : les gagnants du tirage, ou les bulletins de chaque réponse une fois le sondage terminé.",
        ],
    },
];

/// The catalogue entry of `id`. The ids are constants of `compute.rs`:
/// one missing from the catalogue is a bug every report test hits.
pub(crate) fn def(id: &str) -> &'static Def {
    CATALOGUE
        .iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("KPI {id} is not in the catalogue"))
}
