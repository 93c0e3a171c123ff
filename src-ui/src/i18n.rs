//! Every string the user reads goes through here, in English and Traditional Chinese (zh-HK).
//!
//! Keys are an enum, so a screen cannot ask for a string that has no translation, and the
//! match below cannot compile with one language missing.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    ZhHk,
}

impl Locale {
    /// The BCP 47 tag, used for `<html lang>` and for persisting the choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHk => "zh-HK",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        match tag {
            "en" => Some(Locale::En),
            "zh-HK" => Some(Locale::ZhHk),
            _ => None,
        }
    }
}

/// The current locale, provided once by the app frame.
pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<RwSignal<Locale>>()
}

/// A reactive translation of `key`, for use directly in `view!`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || key.text(locale.get())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppTagline,
    NavItemCheck,
    NavQuote,
    Online,
    Offline,
    Language,
    ItemCheckTitle,
    ItemCheckHelp,
    ItemNumberLabel,
    Check,
    Valid,
    Invalid,
    Indicator,
    Serial,
    Country,
    Kind,
    CallFailed,
}

impl Key {
    pub fn text(self, locale: Locale) -> &'static str {
        let (en, zh) = match self {
            Key::AppTagline => ("Shipping for Hong Kong merchants", "香港商戶寄件好幫手"),
            Key::NavItemCheck => ("Item number", "郵件編號"),
            Key::NavQuote => ("Postage", "郵費"),
            Key::Online => ("Online", "在線"),
            Key::Offline => ("Offline", "離線"),
            Key::Language => ("中文", "English"),
            Key::ItemCheckTitle => ("Check an item number", "檢查郵件編號"),
            Key::ItemCheckHelp => (
                "Type or scan a 13-character item number, e.g. LX123456785HK.",
                "輸入或掃描 13 位郵件編號，例如 LX123456785HK。",
            ),
            Key::ItemNumberLabel => ("Item number", "郵件編號"),
            Key::Check => ("Check", "檢查"),
            Key::Valid => ("Valid item number", "郵件編號有效"),
            Key::Invalid => ("Not a valid item number", "郵件編號無效"),
            Key::Indicator => ("Service indicator", "服務代號"),
            Key::Serial => ("Serial number", "序號"),
            Key::Country => ("Issuing post", "發出郵政"),
            Key::Kind => ("Kind of mail", "郵件類別"),
            Key::CallFailed => ("The app could not answer", "程式未能回應"),
        };
        match locale {
            Locale::En => en,
            Locale::ZhHk => zh,
        }
    }
}

/// What an S10 service indicator means (catalog keys from `satchel-ipc`).
pub fn mail_kind(kind: &str, locale: Locale) -> &'static str {
    let (en, zh) = match kind {
        "parcel" => ("Parcel post", "包裹"),
        "ems" => ("EMS / Speedpost", "特快專遞"),
        "e_commerce_parcel" => ("E-commerce parcel", "電子商務包裹"),
        "letter_tracked" => ("Tracked letter post", "可追蹤郵件"),
        "m_bag" => ("M-bag", "M 郵袋"),
        "ibrs" => ("International business reply", "國際商業回郵"),
        "letter_registered" => ("Registered letter post", "掛號郵件"),
        "letter_untracked" => ("Untracked letter post (customs)", "不可追蹤郵件（需報關）"),
        "letter_insured" => ("Insured letter post", "保險郵件"),
        "reserved" => ("Reserved / domestic", "保留／本地用途"),
        _ => ("Domestic or bilateral use", "本地或雙邊用途"),
    };
    match locale {
        Locale::En => en,
        Locale::ZhHk => zh,
    }
}

/// Why an item number is invalid, in words a merchant can act on.
pub fn item_problem(problem: &satchel_ipc::ItemProblem, locale: Locale) -> String {
    use satchel_ipc::ItemProblem as P;
    match (problem, locale) {
        (P::Length { len }, Locale::En) => {
            format!("An item number has 13 characters; this one has {len}.")
        }
        (P::Length { len }, Locale::ZhHk) => format!("郵件編號應有 13 個字元，現有 {len} 個。"),
        (P::ServiceIndicator, Locale::En) => {
            "The first two characters must be letters (the service indicator).".into()
        }
        (P::ServiceIndicator, Locale::ZhHk) => "首兩個字元必須是英文字母（服務代號）。".into(),
        (P::Digits, Locale::En) => "Characters 3 to 11 must be digits.".into(),
        (P::Digits, Locale::ZhHk) => "第 3 至 11 個字元必須是數字。".into(),
        (P::CountryCode, Locale::En) => {
            "The last two characters must be letters (the issuing country).".into()
        }
        (P::CountryCode, Locale::ZhHk) => "最後兩個字元必須是英文字母（發出國家）。".into(),
        (P::UnknownCountry { country }, Locale::En) => {
            format!("'{country}' is not the country code of a post.")
        }
        (P::UnknownCountry { country }, Locale::ZhHk) => format!("「{country}」不是郵政的國家代碼。"),
        (P::CheckDigit { found, expected }, Locale::En) => format!(
            "Check digit is {found} but should be {expected} (UPU S10): a character was mistyped."
        ),
        (P::CheckDigit { found, expected }, Locale::ZhHk) => {
            format!("校驗位是 {found}，應為 {expected}（UPU S10）：可能輸入錯誤。")
        }
    }
}
