//! The words of every refusal ([`Refused`]), in English and Traditional Chinese (Hong Kong):
//! the one catalogue the window and the CLI use, so a refusal reads the same wherever the
//! merchant meets it and no other layer words one.

use crate::{CommandError, ProblemDto, Refused, ShipmentState, SyncTrouble};

/// The languages Satchel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhHk,
}

/// A shipment's state as a label ("Draft", "草稿"): the window's badges and filters.
pub fn state_name(s: ShipmentState, lang: Lang) -> &'static str {
    use ShipmentState as S;
    let (en, zh) = match s {
        S::Draft => ("Draft", "草稿"),
        S::Ready => ("Ready", "準備寄出"),
        S::Submitted => ("Submitted", "已提交"),
        S::Numbered => ("Numbered", "已編號"),
        S::Printed => ("Printed", "已列印"),
        S::Posted => ("Posted", "已寄出"),
        S::Delivered => ("Delivered", "已派遞"),
        S::Returned => ("Returned", "已退回"),
        S::Expired => ("Expired", "已過期"),
        S::Cancelled => ("Cancelled", "已取消"),
    };
    match lang {
        Lang::En => en,
        Lang::ZhHk => zh,
    }
}

/// A lifecycle word inside a sentence: a state id (or the store's pseudo-states `edited` /
/// `deleted`), lower case in English.
fn state_word(id: &str, lang: Lang) -> String {
    match (lang, ShipmentState::from_id(id), id) {
        (Lang::En, _, _) => id.to_owned(),
        (Lang::ZhHk, Some(s), _) => state_name(s, lang).to_owned(),
        (Lang::ZhHk, None, "edited") => "修改".to_owned(),
        (Lang::ZhHk, None, "deleted") => "刪除".to_owned(),
        (Lang::ZhHk, None, other) => other.to_owned(),
    }
}

fn unknown_category(value: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Unknown content category '{value}'."),
        Lang::ZhHk => format!("未知的內容類別「{value}」。"),
    }
}

/// R-008, as the operator puts it, for the notice shown before the first international
/// submission (the window shows it with an "I understand" button; the CLI asks for
/// `--accept-edi-notice`).
pub const EDI_NOTICE_EN: &str = "Before your first submission: the posting details, including \
    the personal data of you and your customers, may be transmitted by electronic data \
    interchange (EDI) to the overseas postal administrations and customs authorities of the \
    destinations, as Hongkong Post's terms state (R-008). Accept this to submit.";
pub const EDI_NOTICE_ZH_HK: &str =
    "首次提交前請注意：郵件資料（包括你及顧客的個人資料）可能會經電子資料聯通（EDI）\
    傳送至目的地的海外郵政機構及海關，詳見香港郵政的條款（R-008）。請確認後再提交。";

/// A posting note as a sentence.
pub fn note(n: &crate::Note, lang: Lang) -> String {
    use crate::Note as N;
    match (n, lang) {
        (N::EdiPrivacy, Lang::En) => "The posting details, personal data included, go by EDI to \
            the destination's postal administration and customs (R-008)."
            .into(),
        (N::EdiPrivacy, Lang::ZhHk) => {
            "郵件資料（包括個人資料）會經電子資料聯通傳送至目的地郵政機構及海關（R-008）。".into()
        }
        (N::BulkCutoff { items, late: false }, Lang::En) => format!(
            "{items} e-Express+ / Registered Mail items in one go: post them by 4 pm (R-055)."
        ),
        (N::BulkCutoff { items, late: false }, Lang::ZhHk) => {
            format!("一次投寄 {items} 件 e速遞+／掛號郵件：須於下午 4 時前投寄（R-055）。")
        }
        (N::BulkCutoff { items, late: true }, Lang::En) => format!(
            "{items} e-Express+ / Registered Mail items in one go must be posted by 4 pm, and it \
             is past 4 pm: post them on the next working day (R-055)."
        ),
        (N::BulkCutoff { items, late: true }, Lang::ZhHk) => format!(
            "一次投寄 {items} 件 e速遞+／掛號郵件須於下午 4 時前投寄，現已過時：請於下一個工作天投寄（R-055）。"
        ),
        (N::GpoNoImail { date }, Lang::En) => format!(
            "{} is a Sunday or public holiday: the General Post Office does not accept iMail \
             (R-057).",
            date.format("%d/%m/%Y")
        ),
        (N::GpoNoImail { date }, Lang::ZhHk) => format!(
            "{} 是星期日或公眾假期：郵政總局不接受 iMail 投寄（R-057）。",
            date.format("%d/%m/%Y")
        ),
        (N::SevereWeather { date, next_open }, Lang::En) => format!(
            "{} is marked as a Black Rainstorm / Signal No. 8 day: post offices are not open for \
             business; the next Post Office Working Day is {} (R-061, R-062).",
            date.format("%d/%m/%Y"),
            next_open.format("%d/%m/%Y")
        ),
        (N::SevereWeather { date, next_open }, Lang::ZhHk) => format!(
            "{} 已標示為黑色暴雨警告／八號或以上風球日子：郵政局暫停辦公；下一個郵政局工作天為 {}（R-061、R-062）。",
            date.format("%d/%m/%Y"),
            next_open.format("%d/%m/%Y")
        ),
        (N::CustomsSms, Lang::En) => "Items to the EU, Switzerland or Norway: watch your SMS for \
            2 to 3 days after posting and act on any customs request. Hongkong Post's SMS never \
            has a link asking for personal data; in doubt call 2921 2222 (R-072, R-073)."
            .into(),
        (N::CustomsSms, Lang::ZhHk) => "寄往歐盟、瑞士或挪威的郵件：投寄後 2 至 3 天請留意短訊，並按海關要求跟進。\
            香港郵政的短訊不會附有要求提供個人資料的連結；如有疑問請致電 2921 2222（R-072、R-073）。"
            .into(),
    }
}

/// The refusal as a sentence; an `Invalid` one lists its problems (field, rule, words).
pub fn refusal(e: &CommandError, lang: Lang) -> String {
    use Lang::{En, ZhHk};
    use Refused as R;
    let l = lang;
    match (&e.reason, l) {
        (R::NotFound { entity }, En) => format!("This {entity} no longer exists (deleted?)."),
        (R::NotFound { entity }, ZhHk) => {
            let zh = if entity == "contact" {
                "聯絡人"
            } else {
                "郵件"
            };
            format!("找不到此{zh}（可能已刪除）。")
        }
        (R::Invalid, _) => e
            .problems
            .iter()
            .map(|p| {
                let text = if l == En {
                    &p.message_en
                } else {
                    &p.message_zh_hk
                };
                match (p.rule.is_empty(), l) {
                    (true, _) => text.clone(),
                    (false, En) => format!("{} ({}): {text}", p.field, p.rule),
                    (false, ZhHk) => format!("{}（{}）：{text}", p.field, p.rule),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        (R::FixErrorsFirst { to }, En) => {
            format!("Fix the errors before marking it {to}; warnings may stay.")
        }
        (R::FixErrorsFirst { to }, ZhHk) => format!(
            "請先更正錯誤，才可標示為「{}」；警告可保留。",
            state_word(to, l)
        ),
        (R::BadTransition { from, to }, En) => {
            format!("A shipment that is {from} cannot be {to}.")
        }
        (R::BadTransition { from, to }, ZhHk) => format!(
            "「{}」的郵件不能改為「{}」。",
            state_word(from, l),
            state_word(to, l)
        ),
        (R::StoreRule { message }, En) => match &e.rule {
            Some(rule) => format!("{} ({rule}): {message}", e.field),
            None => format!("{}: {message}", e.field),
        },
        (R::StoreRule { message }, ZhHk) => match &e.rule {
            Some(rule) => format!("{}（{rule}）：{message}", e.field),
            None => format!("{}：{message}", e.field),
        },
        (R::CsvUnreadable { detail }, En) => format!("The CSV file could not be read: {detail}"),
        (R::CsvUnreadable { detail }, ZhHk) => format!("無法讀取 CSV 檔案：{detail}"),
        (R::TariffFile { detail }, En) => {
            format!("This is not a postage rate file the app can read: {detail}")
        }
        (R::TariffFile { detail }, ZhHk) => format!("此檔案不是可讀取的郵費表：{detail}"),
        (R::TariffAddress, En) => "Enter the open-data address, starting with https://".into(),
        (R::TariffAddress, ZhHk) => "請輸入以 https:// 開頭的開放數據網址".into(),
        (R::StoreFailed { detail }, En) => format!("The local database failed: {detail}"),
        (R::StoreFailed { detail }, ZhHk) => format!("本機資料庫出錯：{detail}"),
        (R::Unexpected { detail }, En) => format!("This stopped unexpectedly: {detail}"),
        (R::Unexpected { detail }, ZhHk) => format!("意外中止：{detail}"),
        (R::WeightMissing, En) => "Enter the weight in grams (more than 0).".into(),
        (R::WeightMissing, ZhHk) => "請輸入重量（克，須大於 0）。".into(),
        (R::UnknownCategory { value }, _) => unknown_category(value, l),
        (R::DateFormat { value }, En) => format!("'{value}' is not a date: enter it day first (DD/MM/YYYY) or as YYYY-MM-DD."),
        (R::DateFormat { value }, ZhHk) => {
            format!("「{value}」不是日期：請以 日/月/年（DD/MM/YYYY）或 YYYY-MM-DD 格式輸入。")
        }
        (R::NoLabelFont, En) => {
            "No label font is installed (Noto Sans CJK, package fonts-noto-cjk).".into()
        }
        (R::NoLabelFont, ZhHk) => "未安裝標籤字型（Noto Sans CJK，套件 fonts-noto-cjk）。".into(),
        (R::NothingSelected, En) => "Select at least one shipment.".into(),
        (R::NothingSelected, ZhHk) => "請最少選擇一件郵件。".into(),
        (R::NoImailSelected, En) => "Select at least one iMail shipment.".into(),
        (R::NoImailSelected, ZhHk) => "請最少選擇一件 iMail 郵件。".into(),
        (R::CannotStartThere { detail, .. }, En) => format!("Cannot start there: {detail}."),
        (R::CannotStartThere { per_sheet, .. }, ZhHk) => {
            format!("不能由此位置開始：每張最多 {per_sheet} 個標籤。")
        }
        (R::LabelsNotDrawn { detail }, En) => format!("The labels could not be drawn: {detail}"),
        (R::LabelsNotDrawn { detail }, ZhHk) => format!("無法繪製標籤：{detail}"),
        (R::DocumentNotDrawn { detail }, En) => {
            format!("The document could not be drawn: {detail}")
        }
        (R::DocumentNotDrawn { detail }, ZhHk) => format!("無法繪製文件：{detail}"),
        (R::PrinterFailed { detail }, En) => format!("The printer could not be used: {detail}"),
        (R::PrinterFailed { detail }, ZhHk) => format!("無法使用打印機：{detail}"),
        (R::NotImail, En) => {
            "Posting documents are for iMail shipments only; deselect the others.".into()
        }
        (R::NotImail, ZhHk) => "郵寄文件只適用於 iMail 郵件，請取消選擇其他郵件。".into(),
        (R::NoDefaultSender, En) => {
            "Choose a default sender profile in the address book first.".into()
        }
        (R::NoDefaultSender, ZhHk) => "請先在通訊錄選擇預設寄件人。".into(),
        (R::NoImailCharge { detail }, En) => {
            format!("No iMail charge for this posting: {detail}")
        }
        (R::NoImailCharge { detail }, ZhHk) => format!("無法計算此批 iMail 的郵費：{detail}"),
        (R::OperatorLabelMissing { item }, En) => format!(
            "EC-Ship's label for {item} has not been downloaded yet. Connect to the internet \
             and print again: only the label EC-Ship made goes to the counter."
        ),
        (R::OperatorLabelMissing { item }, ZhHk) => format!(
            "尚未下載 {item} 的 EC-Ship 標籤。請連接互聯網後再列印：交到櫃位的只可以是 EC-Ship 產生的標籤。"
        ),
        (R::LabelExpired { item, expired_on }, En) => format!(
            "The label for {item} expired on {}. Cancel it and make a new one; an \
             expired label is not accepted at the counter.",
            expired_on.format("%d/%m/%Y")
        ),
        (R::LabelExpired { item, expired_on }, ZhHk) => format!(
            "{item} 的標籤已於 {} 過期。請取消後重新建立；過期標籤不獲櫃位接受。",
            expired_on.format("%d/%m/%Y")
        ),
        (R::LabelDoesNotFit { item, paper_mm: [w, h] }, En) => format!(
            "EC-Ship's label for {item} is larger than this printer's {w} × {h} mm paper and \
             cannot be printed without resizing it, which the operator forbids. Choose a printer or profile with larger \
             paper (A4)."
        ),
        (R::LabelDoesNotFit { item, paper_mm: [w, h] }, ZhHk) => format!(
            "{item} 的 EC-Ship 標籤大於此打印機的 {w} × {h} 毫米紙張，不縮放便不能列印，而郵政署不准更改標籤尺寸。請選用紙張較大（A4）的打印機或設定。"
        ),
        (R::PermitMissing, En) => "Enter the iMail permit number Hongkong Post gave you (PM \
                                   and digits): it is printed on every iMail label and bag label."
            .into(),
        (R::PermitMissing, ZhHk) => {
            "請輸入香港郵政發出的 iMail 許可證號碼（PM 加數字）：每個 iMail 標籤及郵袋標籤都會印上。".into()
        }
        (R::CodeFormat { value }, En) => format!(
            "\"{value}\" is not a code EC-Ship uses: enter 1 to 10 letters or digits, as EC-Ship \
             gave them, or leave it empty for the default."
        ),
        (R::CodeFormat { value }, ZhHk) => format!(
            "「{value}」不是 EC-Ship 使用的代碼：請輸入 EC-Ship 提供的 1 至 10 個英文字母或數字，或留空使用預設值。"
        ),
        (R::CertificateNeedsNumbers { count }, En) => format!(
            "EC-Ship's Certificate of Posting lists items EC-Ship numbered: {count} of the \
             selected items have no EC-Ship item number yet. Submit them first, or print \
             Satchel's own list of items posted."
        ),
        (R::CertificateNeedsNumbers { count }, ZhHk) => format!(
            "EC-Ship 的投寄證明書只列出 EC-Ship 編號的郵件：所選郵件中有 {count} 件尚未有 EC-Ship 郵件編號。請先提交，或列印 Satchel 的投寄清單。"
        ),
        (R::EdiNoticeNeeded, En) => EDI_NOTICE_EN.into(),
        (R::EdiNoticeNeeded, ZhHk) => EDI_NOTICE_ZH_HK.into(),
        (R::EcshipNotSetUp, En) => "Set up EC-Ship first: enter the service address, the \
                                    integrator username and the API key on the EC-Ship screen."
            .into(),
        (R::EcshipNotSetUp, ZhHk) => {
            "請先在「EC-Ship」畫面輸入服務地址、系統整合用戶名稱及 API 金鑰。".into()
        }
        (R::EcshipUnreachable { detail }, En) => {
            format!("EC-Ship cannot be reached this way: {detail}")
        }
        (R::EcshipUnreachable { detail }, ZhHk) => format!("無法以此設定連接 EC-Ship：{detail}"),
        (R::KeychainUnavailable { detail }, En) => {
            format!("The system keychain cannot be used: {detail}")
        }
        (R::KeychainUnavailable { detail }, ZhHk) => format!("無法使用系統鑰匙圈：{detail}"),
        (R::NotCancellable { reason }, En) => {
            format!("This shipment cannot be cancelled: {reason}.")
        }
        (R::NotCancellable { reason }, ZhHk) => format!("此郵件不能取消：{reason}。"),
        (R::NotNumberedYet, En) => "This shipment has no item number yet.".into(),
        (R::NotNumberedYet, ZhHk) => "此郵件尚未有郵件編號。".into(),
        (R::TrackingFailed { detail }, En) => {
            format!("Tracking could not be refreshed: {detail}")
        }
        (R::TrackingFailed { detail }, ZhHk) => format!("無法更新追蹤資料：{detail}"),
        (R::BaseUrl, En) => "Enter the EC-Ship service address, starting with https:// (trial or \
                             production; http:// only for a local simulator)."
            .into(),
        (R::BaseUrl, ZhHk) => {
            "請輸入以 https:// 開頭的 EC-Ship 服務地址（測試或正式環境；本機模擬器可用 http://）。"
                .into()
        }
        (R::TrackingUrl, En) => "The tracking address must start with https:// (or http:// for a \
                                 local simulator), or be left empty."
            .into(),
        (R::TrackingUrl, ZhHk) => {
            "追蹤服務地址須以 https:// 開頭（本機模擬器可用 http://），或留空。".into()
        }
        (R::IntegratorMissing, En) => {
            "Enter the integrator username EC-Ship gave for the API (not the portal login).".into()
        }
        (R::IntegratorMissing, ZhHk) => {
            "請輸入 EC-Ship 為 API 提供的系統整合用戶名稱（並非網站登入名稱）。".into()
        }
        (R::IdentityMissing, En) => "Choose which account name EC-Ship expects.".into(),
        (R::IdentityMissing, ZhHk) => "請選擇 EC-Ship 所需的帳戶名稱。".into(),
        (R::ApiKeyMissing, En) => "Enter the API key EC-Ship issued for this integrator.".into(),
        (R::ApiKeyMissing, ZhHk) => "請輸入 EC-Ship 為此系統整合用戶發出的 API 金鑰。".into(),
        (R::SettingsNotSaved { detail }, En) => {
            format!("The settings could not be saved: {detail}")
        }
        (R::SettingsNotSaved { detail }, ZhHk) => format!("無法儲存設定：{detail}"),
        (R::IdleTooLong, En) => "Choose at most 24 hours.".into(),
        (R::IdleTooLong, ZhHk) => "最多可選 24 小時。".into(),
        (R::PinFormat, En) => "The PIN is 4 to 8 digits.".into(),
        (R::PinFormat, ZhHk) => "密碼須為 4 至 8 位數字。".into(),
        (R::PinNeeded, En) => "Choose a PIN of 4 to 8 digits to lock the app with.".into(),
        (R::PinNeeded, ZhHk) => "請設定 4 至 8 位數字的密碼以鎖定程式。".into(),
        (R::PinNotKept { detail }, En) => format!("No PIN can be kept: {detail}"),
        (R::PinNotKept { detail }, ZhHk) => format!("無法保存密碼：{detail}"),
        (R::TooManyPins { wait_secs }, En) => {
            format!("Too many wrong PINs; try again in {wait_secs} s.")
        }
        (R::TooManyPins { wait_secs }, ZhHk) => {
            format!("輸入錯誤次數太多，請於 {wait_secs} 秒後再試。")
        }
        (R::WrongPin, En) => "That PIN is not right.".into(),
        (R::WrongPin, ZhHk) => "密碼不正確。".into(),
        (R::Locked, En) => "Satchel is locked: type the PIN to go on.".into(),
        (R::Locked, ZhHk) => "程式已鎖定，請輸入密碼繼續。".into(),
        (R::HubUrl, En) => "Enter the sync hub's address, starting with https:// (http:// only to \
                            a hub on this computer)."
            .into(),
        (R::HubUrl, ZhHk) => {
            "請輸入以 https:// 開頭的同步伺服器地址（http:// 只限本機上的伺服器）。".into()
        }
        (R::SyncKeysNotKept { detail }, En) => {
            format!("The system keychain cannot be used, so sync cannot keep its keys: {detail}")
        }
        (R::SyncKeysNotKept { detail }, ZhHk) => {
            format!("無法使用系統鑰匙圈，同步無法保存金鑰：{detail}")
        }
        (R::Sync { detail, .. }, En) => detail.clone(),
        (R::Sync { trouble, detail }, ZhHk) => {
            let zh = match trouble {
                SyncTrouble::Offline => "無法連接同步伺服器",
                SyncTrouble::PairingCode => "配對碼無效或已過期",
                SyncTrouble::Phrase => "復原字詞不正確",
                SyncTrouble::NotLinked => "此裝置尚未連結同步帳戶",
                SyncTrouble::AlreadyLinked => "此裝置已連結同步帳戶",
                SyncTrouble::Other => "同步失敗",
            };
            format!("{zh}：{detail}")
        }
        (R::NotADevice, En) => "That is not a device of this account.".into(),
        (R::NotADevice, ZhHk) => "此裝置不屬於這個帳戶。".into(),
    }
}

/// A value the editor sent that could not be read at all. Not a domain rule, so it has no
/// rule id; it travels as a [`ProblemDto`] (`input.<code>`) next to the rules engine's problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Amount,
    ServiceMissing,
    ServiceUnknown { value: String },
    Category { value: String },
    NonDelivery { value: String },
}

impl Unreadable {
    pub fn code(&self) -> &'static str {
        match self {
            Unreadable::Amount => "amount",
            Unreadable::ServiceMissing => "service_missing",
            Unreadable::ServiceUnknown { .. } => "service_unknown",
            Unreadable::Category { .. } => "category",
            Unreadable::NonDelivery { .. } => "non_delivery",
        }
    }

    /// The problem as the editor shows it, under the input `field` names, in both languages.
    pub fn problem(&self, field: &str) -> ProblemDto {
        ProblemDto {
            code: format!("input.{}", self.code()),
            rule: String::new(),
            field: field.to_owned(),
            error: true,
            message_en: unreadable(self, Lang::En),
            message_zh_hk: unreadable(self, Lang::ZhHk),
        }
    }
}

/// An unreadable value as a sentence.
pub fn unreadable(u: &Unreadable, lang: Lang) -> String {
    use Lang::{En, ZhHk};
    use Unreadable as U;
    match (u, lang) {
        (U::Amount, En) => "Enter an amount in figures, such as 120.50.".into(),
        (U::Amount, ZhHk) => "請以數字輸入金額，例如 120.50。".into(),
        (U::ServiceMissing, En) => "Choose a service.".into(),
        (U::ServiceMissing, ZhHk) => "請選擇服務。".into(),
        (U::ServiceUnknown { value }, En) => format!("Unknown service '{value}'."),
        (U::ServiceUnknown { value }, ZhHk) => format!("未知的服務「{value}」。"),
        (U::Category { value }, _) => unknown_category(value, lang),
        (U::NonDelivery { value }, En) => {
            format!("Unknown choice '{value}' for an undeliverable item.")
        }
        (U::NonDelivery { value }, ZhHk) => format!("未知的無法投遞處理方式「{value}」。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_in_both_languages_with_its_values() {
        let e = CommandError::new(
            "state",
            Refused::BadTransition {
                from: "printed".into(),
                to: "draft".into(),
            },
        );
        assert_eq!(
            refusal(&e, Lang::En),
            "A shipment that is printed cannot be draft."
        );
        assert_eq!(
            refusal(&e, Lang::ZhHk),
            "「已列印」的郵件不能改為「草稿」。"
        );
        let wait = CommandError::new("pin", Refused::TooManyPins { wait_secs: 4 });
        assert!(refusal(&wait, Lang::ZhHk).contains("4 秒"));
    }

    #[test]
    fn a_refusal_travels_as_its_kind_and_values() {
        let e = CommandError::new("pin", Refused::TooManyPins { wait_secs: 4 }).with_rule("S-001");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["reason"]["kind"], "too_many_pins");
        assert_eq!(json["reason"]["wait_secs"], 4);
        assert_eq!(json["rule"], "S-001");
        let back: CommandError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
