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
    QuoteTitle,
    QuoteHelp,
    Destination,
    DestinationPlaceholder,
    WeightGrams,
    LengthMm,
    WidthMm,
    HeightMm,
    Contents,
    Compare,
    Service,
    Estimate,
    Counter,
    Delivery,
    TariffDate,
    ExcludedTitle,
    NoOptions,
    Unknown,
    PostingDate,
    PickDestination,
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
            Key::QuoteTitle => ("Postage and services", "郵費及服務比較"),
            Key::QuoteHelp => (
                "Prices come from the operator's published rate files, shown with their date. The counter rounds the total down to HK$0.10.",
                "郵費按營辦商公布的郵費資料計算，並註明資料日期。櫃位收費總額向下調整至最接近的一角。",
            ),
            Key::Destination => ("Destination", "目的地"),
            Key::DestinationPlaceholder => ("Country or region, e.g. Japan or 日本", "國家或地區，例如 日本 或 Japan"),
            Key::WeightGrams => ("Weight (g)", "重量（克）"),
            Key::LengthMm => ("Length (mm)", "長（毫米）"),
            Key::WidthMm => ("Width (mm)", "闊（毫米）"),
            Key::HeightMm => ("Height (mm)", "高（毫米）"),
            Key::Contents => ("Contents", "內容"),
            Key::Compare => ("Compare services", "比較服務"),
            Key::Service => ("Service", "服務"),
            Key::Estimate => ("Postage (HK$)", "郵費（港元）"),
            Key::Counter => ("At the counter (HK$)", "櫃位收費（港元）"),
            Key::Delivery => ("Delivery", "派遞時間"),
            Key::TariffDate => ("Rates dated", "郵費資料日期"),
            Key::ExcludedTitle => ("Not available for this item", "此郵件不適用"),
            Key::NoOptions => ("No service can carry this item.", "沒有服務可寄遞此郵件。"),
            Key::Unknown => ("not stated", "未有公布"),
            Key::PostingDate => ("Posting on", "寄件日期"),
            Key::PickDestination => ("Choose a destination from the list.", "請從列表選擇目的地。"),
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
        (P::UnknownCountry { country }, Locale::ZhHk) => {
            format!("「{country}」不是郵政的國家代碼。")
        }
        (P::CheckDigit { found, expected }, Locale::En) => format!(
            "Check digit is {found} but should be {expected} (UPU S10): a character was mistyped."
        ),
        (P::CheckDigit { found, expected }, Locale::ZhHk) => {
            format!("校驗位是 {found}，應為 {expected}（UPU S10）：可能輸入錯誤。")
        }
    }
}

/// The content categories of the customs declaration, as (wire value, English, Chinese).
pub const CATEGORIES: [(&str, &str, &str); 6] = [
    ("sale_of_goods", "Sale of goods", "銷售貨品"),
    ("gift", "Gift", "禮物"),
    ("documents", "Documents", "文件"),
    ("commercial_sample", "Commercial sample", "商業樣本"),
    ("returned_goods", "Returned goods", "退回貨品"),
    ("other", "Other", "其他"),
];

/// Why a service cannot carry the item, in the merchant's language.
pub fn exclusion(reason: &satchel_ipc::ExclusionReason, locale: Locale) -> String {
    use satchel_ipc::ExclusionReason as R;
    let zh = locale == Locale::ZhHk;
    match reason {
        R::UsGoodsSuspended if zh => "寄往美國的貨品暫停收寄，只接受文件（R-063）。".into(),
        R::UsGoodsSuspended => "Goods to the US are suspended; documents only (R-063).".into(),
        R::LocalOnly if zh => "只限香港本地寄遞。".into(),
        R::LocalOnly => "For addresses in Hong Kong only.".into(),
        R::InternationalOnly if zh => "只限寄往香港以外地方。".into(),
        R::InternationalOnly => "For addresses outside Hong Kong only.".into(),
        R::NoTariff if zh => "沒有適用於此日期的郵費資料。".into(),
        R::NoTariff => "No rate file for this date.".into(),
        R::NotServed if zh => "此服務不寄往這個目的地。".into(),
        R::NotServed => "Does not go to this destination.".into(),
        R::OverLimit { limit_g } if zh => format!("超過重量上限 {}。", grams(*limit_g)),
        R::OverLimit { limit_g } => format!("Over the weight limit of {}.", grams(*limit_g)),
        R::AmbiguousRate if zh => "公布的郵費資料互相矛盾，須向 EC-Ship 查詢。".into(),
        R::AmbiguousRate => "The published rates conflict; ask EC-Ship for the price.".into(),
        R::OverSize { rule } if zh => format!("超過尺寸上限（{rule}）。"),
        R::OverSize { rule } => format!("Larger than the size limit ({rule})."),
        R::InvalidDestination if zh => "目的地代碼無效。".into(),
        R::InvalidDestination => "Not a valid destination code.".into(),
        R::NoStep if zh => "公布的郵費資料沒有此重量。".into(),
        R::NoStep => "The published rates have no step for this weight.".into(),
    }
}

/// `2000` → "2 kg", `450` → "450 g".
pub fn grams(g: u32) -> String {
    if g >= 1000 && g.is_multiple_of(100) {
        let whole = g / 1000;
        match (g % 1000) / 100 {
            0 => format!("{whole} kg"),
            tenths => format!("{whole}.{tenths} kg"),
        }
    } else {
        format!("{g} g")
    }
}

/// "7–14 working days (to 2026-12-08)".
pub fn delivery(d: &satchel_ipc::DeliveryDto, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{}–{} working days ({} to {}; {})",
            d.min_days, d.max_days, d.earliest, d.latest, d.rule
        ),
        Locale::ZhHk => format!(
            "{}–{} 個工作天（{} 至 {}；{}）",
            d.min_days, d.max_days, d.earliest, d.latest, d.rule
        ),
    }
}

/// Why a command gave no answer, in the merchant's language.
pub fn call_error(e: &crate::ipc::CallError, locale: Locale) -> String {
    use crate::ipc::CallError;
    match (e, locale) {
        (CallError::Refused(r), Locale::En) => r.message_en.clone(),
        (CallError::Refused(r), Locale::ZhHk) => r.message_zh_hk.clone(),
        (CallError::Failed(text), _) => format!("{}: {text}", Key::CallFailed.text(locale)),
    }
}
