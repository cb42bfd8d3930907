//! The HTTP side: the routes, the session extractor that guards them, the
//! page layout, the login, logout, setup and language forms, the security
//! headers, and the vendored assets.

use super::auth::{self, Auth, LoginRefused, Role, Session, CSRF_COOKIE, SESSION_COOKIE};
use super::i18n::{self, Lang};
use super::{ConsoleConfig, ConsoleSetup, Observer};
use crate::connector::Credential;
use crate::router::LiveRoutes;
use crate::store::Store;
use anyhow::Result;
use axum::extract::{ConnectInfo, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// What every handler shares.
pub struct State {
    pub auth: Auth,
    pub config: ConsoleConfig,
    pub store: Arc<dyn Store>,
    pub live: Arc<LiveRoutes>,
    pub observer: Arc<Observer>,
    pub metrics_token: Option<Credential>,
    /// Turns true when the console stops: open SSE streams end.
    pub shutdown: watch::Receiver<bool>,
    /// One dead-letter retry at a time.
    pub retrying: tokio::sync::Mutex<()>,
    /// The connectors whose timeouts and bans can be undone.
    pub reversible: std::collections::BTreeSet<String>,
}

pub type Shared = Arc<State>;

impl State {
    pub fn new(setup: ConsoleSetup, shutdown: watch::Receiver<bool>) -> Result<Shared> {
        let metrics_token = setup
            .config
            .metrics_token
            .as_deref()
            .map(|reference| {
                Credential::resolve(reference, &setup.base_dir, "console.metrics_token")
            })
            .transpose()?;
        Ok(Arc::new(State {
            auth: Auth::new(setup.store.clone(), setup.config.session_ttl_h)?,
            config: setup.config,
            store: setup.store,
            live: setup.live,
            observer: setup.observer,
            metrics_token,
            shutdown,
            retrying: tokio::sync::Mutex::new(()),
            reversible: setup.reversible,
        }))
    }
}

/// Every route. Each handler that needs a session takes a [`User`] (no
/// session: 303 to /login for pages, 401 under /api/) and checks the role
/// it needs with [`User::require`].
pub fn app(state: Shared) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/live") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup", get(setup_page).post(setup))
        .route("/lang", post(switch_lang))
        .route("/live", get(super::live::page))
        .route("/api/live", get(super::live::stream))
        .route("/review", get(super::review::page))
        .route("/review/decide", post(super::review::decide))
        .route("/review/bulk", post(super::review::bulk))
        .route("/audit", get(super::audit::page))
        .route("/api/audit.csv", get(super::audit::csv))
        .route("/audit/undo", post(super::audit::undo))
        .route("/dead-letters", get(super::dead_letters::page))
        .route("/dead-letters/retry", post(super::dead_letters::retry))
        .route("/reports", get(super::reports::page))
        .route("/reports/view", get(super::reports::view))
        .route("/contests", get(super::contests::page))
        .route("/api/contests/list", get(super::contests::list))
        .route("/plugins", get(super::plugins::page))
        .route("/plugins/lift", post(super::plugins::lift))
        .route("/metrics", get(super::metrics::serve))
        .route("/assets/console.css", get(css))
        .route("/assets/console.js", get(js))
        .route("/assets/review.js", get(review_js))
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

/// No inline script or style can run, frames are refused, nothing is
/// cached.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        if !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "cache-control", "no-store");
    response
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Whether cookies must be `Secure`: the config says the console is
/// reached over HTTPS, or the reverse proxy in front says this request was.
fn secure(state: &State, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, and Secure
/// when asked. `max_age` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_s: u64, secure: bool) -> HeaderValue {
    let text = format!(
        "{name}={value}; Max-Age={max_age_s}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    // Names and values are ours (base64url tokens, language codes).
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A logged-in request.
pub struct User {
    pub session: Session,
    pub lang: Lang,
    /// The path and query asked for (for the language switch).
    pub here: String,
    /// Review items waiting for a decision, for the navigation (read for
    /// pages, `GET` outside `/api/`; `None` otherwise or when the store
    /// could not be read).
    pub review_pending: Option<usize>,
}

impl User {
    /// The refusal (403) when the user's role is below `role`.
    pub fn require(&self, role: Role) -> Option<Response> {
        if self.session.role >= role {
            return None;
        }
        Some(forbidden(
            self.lang,
            &format!(
                "{} ({})",
                self.lang.tr(
                    "Your role does not allow this",
                    "Votre rôle ne permet pas cette action"
                ),
                role.name()
            ),
        ))
    }

    /// What every form that changes something checks first: the refusal
    /// (403) unless `token` is this session's CSRF token and the user's
    /// role is at least `role`.
    pub fn authorize_form(&self, token: Option<&str>, role: Role) -> Option<Response> {
        self.check_csrf(token).or_else(|| self.require(role))
    }

    /// The refusal (403) unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: Option<&str>) -> Option<Response> {
        match token {
            Some(t) if auth::same_secret(t, &self.session.csrf) => None,
            _ => Some(csrf_refused(self.lang)),
        }
    }
}

fn forbidden(lang: Lang, why: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(bare(lang, "403", html! { p.error { (why) } }).into_string()),
    )
        .into_response()
}

fn csrf_refused(lang: Lang) -> Response {
    forbidden(
        lang,
        lang.tr(
            "This form is out of date or did not come from the console (CSRF token missing or wrong). Reload the page and try again.",
            "Ce formulaire est périmé ou ne vient pas de la console (jeton CSRF absent ou faux). Rechargez la page et recommencez.",
        ),
    )
}

impl FromRequestParts<Shared> for User {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
        let session = cookie(&parts.headers, SESSION_COOKIE).and_then(|t| state.auth.session(&t));
        match session {
            Some(session) => {
                let review_pending = if parts.method == axum::http::Method::GET
                    && !parts.uri.path().starts_with("/api/")
                {
                    super::review::pending_count(state.store.clone()).await
                } else {
                    None
                };
                Ok(User {
                    session,
                    lang: Lang::of(&parts.headers),
                    here,
                    review_pending,
                })
            }
            None if parts.uri.path().starts_with("/api/") => Err((
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Cookie")],
                "401: log in to the console first (/login)\n",
            )
                .into_response()),
            None => {
                Err(Redirect::to(&format!("/login?next={}", url_encode(&here))).into_response())
            }
        }
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path on this console to go back to: only `/something`, never another
/// site (`//host`, `/\host`, `https:`).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(char::is_control) =>
        {
            p.to_string()
        }
        _ => "/live".to_string(),
    }
}

/// The page around a logged-in page's content.
pub fn page(user: &User, title: &str, active: &str, content: Markup) -> Response {
    page_with_script(user, title, active, content, None)
}

/// [`page`], with one more of the console's own scripts (the Review
/// page's shortcuts).
pub fn page_with_script(
    user: &User,
    title: &str,
    active: &str,
    content: Markup,
    script: Option<&str>,
) -> Response {
    let lang = user.lang;
    let review = match user.review_pending {
        Some(n) if n > 0 => format!("{} ({n})", lang.tr("Review", "Revue")),
        _ => lang.tr("Review", "Revue").to_string(),
    };
    let nav = [
        ("/live", lang.tr("Live", "En direct").to_string()),
        ("/review", review),
        ("/audit", lang.tr("Audit", "Audit").to_string()),
        (
            "/dead-letters",
            lang.tr("Dead letters", "Échecs définitifs").to_string(),
        ),
        (
            "/contests",
            lang.tr("Contests and polls", "Concours et sondages")
                .to_string(),
        ),
        ("/plugins", lang.tr("Plugins", "Plugins").to_string()),
        ("/reports", lang.tr("Reports", "Rapports").to_string()),
    ];
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Vigie" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
                @if let Some(script) = script {
                    script src=(script) defer {}
                }
            }
            body {
                header {
                    span.brand { "Vigie" }
                    nav {
                        @for (href, label) in nav {
                            a href=(href) class=[(active == href).then_some("active")] { (label) }
                        }
                    }
                    span.who {
                        (user.session.user) " · " (role_label(lang, user.session.role))
                    }
                    (lang_switch(lang, &user.session.csrf, &user.here))
                    form.inline method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(user.session.csrf);
                        button type="submit" { (lang.tr("Log out", "Se déconnecter")) }
                    }
                }
                main {
                    h1 { (title) }
                    (content)
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Viewer => lang.tr("viewer", "lecteur"),
        Role::Moderator => lang.tr("moderator", "modérateur"),
        Role::Admin => lang.tr("admin", "administrateur"),
    }
}

fn lang_switch(lang: Lang, csrf: &str, here: &str) -> Markup {
    let other = match lang {
        Lang::En => Lang::Fr,
        Lang::Fr => Lang::En,
    };
    html! {
        form.inline.lang method="post" action="/lang" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(here);
            input type="hidden" name="lang" value=(other.code());
            button type="submit" title=(lang.tr("Passer en français", "Switch to English")) {
                (match other { Lang::Fr => "Français", Lang::En => "English" })
            }
        }
    }
}

/// A page without the navigation (login, setup, errors).
fn bare(lang: Lang, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Vigie" }
                link rel="stylesheet" href="/assets/console.css";
            }
            body.bare {
                main {
                    h1 { "Vigie · " (title) }
                    (content)
                }
            }
        }
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    let lang = Lang::of(&headers);
    (
        StatusCode::NOT_FOUND,
        Html(
            bare(
                lang,
                "404",
                html! { p { (lang.tr("No such page.", "Cette page n'existe pas.")) " " a href="/live" { "/live" } } },
            )
            .into_string(),
        ),
    )
        .into_response()
}

/// The pre-login CSRF token: the cookie's, or a new one to set.
fn pre_login_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE).filter(|t| t.len() >= 32) {
        Some(token) => (token, false),
        None => (auth::random_token(), true),
    }
}

fn with_pre_login_cookie(
    mut response: Response,
    token: &str,
    fresh: bool,
    secure: bool,
) -> Response {
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, token, 3600, secure),
        );
    }
    response
}

/// The CSRF token a form must carry: the session's when logged in, else
/// the pre-login cookie's.
fn expected_csrf(state: &State, headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
        .and_then(|t| state.auth.session(&t))
        .map(|s| s.csrf)
        .or_else(|| cookie(headers, CSRF_COOKIE))
}

fn csrf_ok(state: &State, headers: &HeaderMap, given: Option<&str>) -> bool {
    match (expected_csrf(state, headers), given) {
        (Some(expected), Some(given)) => auth::same_secret(&expected, given),
        _ => false,
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    axum::extract::State(state): axum::extract::State<Shared>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let lang = Lang::of(&headers);
    let (token, fresh) = pre_login_token(&headers);
    let body = login_form(
        lang,
        &token,
        query.next.as_deref(),
        None,
        state.auth.setup_token().is_some(),
    );
    with_pre_login_cookie(
        Html(body.into_string()).into_response(),
        &token,
        fresh,
        secure(&state, &headers),
    )
}

fn login_form(
    lang: Lang,
    csrf: &str,
    next: Option<&str>,
    message: Option<&str>,
    no_account_yet: bool,
) -> Markup {
    bare(
        lang,
        lang.tr("Log in", "Connexion"),
        html! {
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            @if no_account_yet {
                p.note { (lang.tr(
                    "No account exists yet: open the setup link the host printed when it started, or run `vigie user add NAME --role admin` while the host is stopped.",
                    "Aucun compte n'existe encore : ouvrez le lien de configuration que l'hôte a affiché au démarrage, ou lancez `vigie user add NOM --role admin` hôte arrêté."
                )) }
            }
            form.login method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(local_path(next));
                label { (lang.tr("Name", "Nom")) input type="text" name="name" autocomplete="username" required autofocus; }
                label { (lang.tr("Password", "Mot de passe")) input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { (lang.tr("Log in", "Se connecter")) }
            }
            (lang_switch(lang, csrf, &format!("/login?next={}", url_encode(&local_path(next)))))
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

async fn login(
    axum::extract::State(state): axum::extract::State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(&headers);
    let (token, _) = pre_login_token(&headers);
    if !csrf_ok(&state, &headers, form.csrf.as_deref()) {
        return csrf_refused(lang);
    }
    let secure = secure(&state, &headers);
    let auth_state = state.clone();
    let (name, password) = (form.name.clone(), form.password.clone());
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let outcome =
        tokio::task::spawn_blocking(move || auth_state.auth.login(&name, &password, peer.ip()))
            .await
            .unwrap_or(Err(LoginRefused::Wrong));
    match outcome {
        Ok(session) => {
            let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
            let ttl = state.auth.ttl().as_secs();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session, ttl, secure),
            );
            response
        }
        Err(refused) => {
            let (status, message) = match refused {
                LoginRefused::Wrong => (
                    StatusCode::UNAUTHORIZED,
                    lang.tr("Wrong name or password.", "Nom ou mot de passe incorrect."),
                ),
                LoginRefused::RateLimited => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.tr(
                        "Too many wrong passwords within a minute: wait a minute before trying again.",
                        "Trop de mots de passe erronés en une minute : attendez une minute avant de réessayer.",
                    ),
                ),
            };
            let body = login_form(lang, &token, form.next.as_deref(), Some(message), false);
            (status, Html(body.into_string())).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

async fn logout(
    axum::extract::State(state): axum::extract::State<Shared>,
    headers: HeaderMap,
    user: User,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = user.check_csrf(form.csrf.as_deref()) {
        return refused;
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.auth.close_session(&token);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, secure(&state, &headers)),
    );
    response
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
}

async fn setup_page(
    axum::extract::State(state): axum::extract::State<Shared>,
    headers: HeaderMap,
    Query(query): Query<SetupQuery>,
) -> Response {
    let lang = Lang::of(&headers);
    let token = query.token.unwrap_or_default();
    if !state.auth.setup_valid(&token) {
        return setup_invalid(lang);
    }
    let (csrf, fresh) = pre_login_token(&headers);
    let body = setup_form(lang, &csrf, &token, None);
    with_pre_login_cookie(
        Html(body.into_string()).into_response(),
        &csrf,
        fresh,
        secure(&state, &headers),
    )
}

fn setup_invalid(lang: Lang) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(
            bare(
                lang,
                lang.tr("Setup", "Configuration"),
                html! { p.error { (lang.tr(
                    "This setup link is not valid: it was used already, or it belongs to another run of the host. Log in, or ask an admin for an account.",
                    "Ce lien de configuration n'est pas valable : il a déjà servi, ou il appartient à un autre lancement de l'hôte. Connectez-vous, ou demandez un compte à un administrateur."
                )) } p { a href="/login" { (lang.tr("Log in", "Connexion")) } } },
            )
            .into_string(),
        ),
    )
        .into_response()
}

fn setup_form(lang: Lang, csrf: &str, token: &str, message: Option<&str>) -> Markup {
    bare(
        lang,
        lang.tr("Create the first admin", "Créer le premier administrateur"),
        html! {
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            p { (lang.tr(
                "No account exists yet. This link works once, during this run of the host: the account you create here is an admin.",
                "Aucun compte n'existe encore. Ce lien sert une fois, pendant ce lancement de l'hôte : le compte créé ici est administrateur."
            )) }
            form.login method="post" action="/setup" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="token" value=(token);
                label { (lang.tr("Name", "Nom")) input type="text" name="name" autocomplete="username" required autofocus; }
                label { (lang.tr("Password (8 characters or more)", "Mot de passe (8 caractères ou plus)")) input type="password" name="password" autocomplete="new-password" required minlength="8"; }
                button type="submit" { (lang.tr("Create and log in", "Créer et se connecter")) }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct SetupForm {
    csrf: Option<String>,
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

async fn setup(
    axum::extract::State(state): axum::extract::State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    let lang = Lang::of(&headers);
    if !csrf_ok(&state, &headers, form.csrf.as_deref()) {
        return csrf_refused(lang);
    }
    if !state.auth.setup_valid(&form.token) {
        return setup_invalid(lang);
    }
    let worker = state.clone();
    let (token, name, password) = (form.token.clone(), form.name.clone(), form.password.clone());
    let created =
        tokio::task::spawn_blocking(move || worker.auth.complete_setup(&token, &name, &password))
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("setup task failed: {e}")));
    match created {
        Ok(session) => {
            tracing::info!(
                user = form.name,
                "console: first admin created with the setup link"
            );
            let mut response = Redirect::to("/live").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session,
                    state.auth.ttl().as_secs(),
                    secure(&state, &headers),
                ),
            );
            response
        }
        Err(e) => {
            let (csrf, _) = pre_login_token(&headers);
            let body = setup_form(lang, &csrf, &form.token, Some(&format!("{e:#}")));
            (StatusCode::BAD_REQUEST, Html(body.into_string())).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct LangForm {
    csrf: Option<String>,
    lang: Option<String>,
    next: Option<String>,
}

async fn switch_lang(
    axum::extract::State(state): axum::extract::State<Shared>,
    headers: HeaderMap,
    Form(form): Form<LangForm>,
) -> Response {
    if !csrf_ok(&state, &headers, form.csrf.as_deref()) {
        return csrf_refused(Lang::of(&headers));
    }
    let lang = form
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            i18n::COOKIE,
            lang.code(),
            365 * 24 * 3600,
            secure(&state, &headers),
        ),
    );
    response
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/console.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/console.js"),
    )
        .into_response()
}

async fn review_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/review.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/audit?user=a")), "/audit?user=a");
        for bad in [
            "//evil.example",
            "/\\evil",
            "https://evil",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/live", "{bad}");
        }
        assert_eq!(local_path(None), "/live");
    }

    #[test]
    fn cookies_are_read_from_every_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; vigie_lang=fr"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("vigie_session=xyz"),
        );
        assert_eq!(cookie(&headers, "vigie_lang").as_deref(), Some("fr"));
        assert_eq!(cookie(&headers, "vigie_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "none"), None);
    }
}
