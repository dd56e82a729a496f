//! The shared page frame: navigation, the signed-in user, unread notifications, language,
//! theme and the CSRF token every form carries.
use crate::{Req, Theme};
use kernel::{Locale, Role};

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct Chrome {
    pub locale: Locale,
    pub theme: Theme,
    pub user: Option<(String, Role)>,
    pub unread: i64,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub title: String,
    /// The current path and query, for the language switch to come back to.
    pub here: String,
}

const NAV: &[(&str, &str)] = &[
    ("/", "nav.home"),
    ("/tasks", "nav.tasks"),
    ("/tasks/board", "nav.board"),
    ("/kpis", "kpi.nav"),
    ("/goals", "goals.nav"),
    ("/scorecards", "scorecards.nav"),
    ("/reviews", "reviews.nav"),
    ("/people", "nav.people"),
    ("/departments", "nav.departments"),
    ("/hiring", "tp.hiring"),
    ("/training", "tp.training"),
    ("/kudos", "tp.kudos"),
    ("/one-on-ones", "tp.one_on_ones"),
    ("/org", "nav_team.org"),
    ("/skills", "nav_team.skills"),
    ("/capacity/workload", "nav_team.workload"),
];

impl Chrome {
    pub fn new(req: &Req, unread: i64, active: &str, title_key: &str, here: &str) -> Chrome {
        let locale = req.locale();
        let user = req.actor().map(|a| (a.username.clone(), a.role));
        let mut nav: Vec<NavItem> = NAV
            .iter()
            .map(|(href, key)| NavItem {
                href,
                label: crate::t(locale, key),
                active: *href == active,
            })
            .collect();
        if user.as_ref().is_some_and(|(_, r)| *r == Role::Admin) {
            nav.push(NavItem {
                href: "/admin/users",
                label: crate::t(locale, "nav.users"),
                active: active == "/admin/users",
            });
        }
        Chrome {
            locale,
            theme: req.0.theme,
            user,
            unread,
            csrf: req.csrf(),
            nav,
            title: crate::t(locale, title_key).to_string(),
            here: here.to_string(),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        crate::t(self.locale, key)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }

    pub fn other_locale(&self) -> &'static str {
        match self.locale {
            Locale::En => "zh-CN",
            Locale::ZhCn => "en",
        }
    }

    pub fn other_locale_label(&self) -> &'static str {
        match self.locale {
            Locale::En => "中文",
            Locale::ZhCn => "English",
        }
    }

    pub fn role_label(&self) -> &'static str {
        self.user
            .as_ref()
            .map_or("", |(_, r)| self.t(&format!("role.{}", r.as_str())))
    }

    pub fn username(&self) -> &str {
        self.user.as_ref().map_or("", |(u, _)| u.as_str())
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    /// Date/time for display in the user's zone (Asia/Shanghai by default: UTC+8).
    pub fn instant(&self, ms: &i64) -> String {
        kernel::dates::format_instant(*ms, 8)
    }
}
