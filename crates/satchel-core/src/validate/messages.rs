//! English and Traditional Chinese (Hong Kong) text for every problem's `message_key`.
//!
//! Templates use `{name}` placeholders filled from [`super::Problem::params`]. Both languages
//! of a key use the same placeholders (tested).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The languages Satchel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// English.
    En,
    /// Traditional Chinese as written in Hong Kong (`zh-HK`).
    ZhHk,
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageText {
    pub key: &'static str,
    pub en: &'static str,
    pub zh_hk: &'static str,
}

macro_rules! catalog {
    ($($key:literal => $en:literal, $zh:literal;)*) => {
        /// Every message, in rule order.
        pub const CATALOG: &[MessageText] = &[$(MessageText { key: $key, en: $en, zh_hk: $zh }),*];
    };
}

catalog! {
    "R-003.duplicate_reference" =>
        "Reference \"{reference}\" is also used by item {first}. Each item needs its own reference so a retried upload is not posted twice.",
        "參考編號「{reference}」已用於第 {first} 件郵件。每件郵件須有獨立參考編號，以免重試上載時重複寄件。";
    "R-009.weight_missing" =>
        "Enter the weight. Postage is estimated from the declared weight; the counter scale decides the final charge.",
        "請輸入重量。郵費按申報重量估算，最終收費以櫃位磅秤為準。";
    "R-033.batch_over_500" =>
        "This batch has {count} items; EC-Ship accepts at most {limit} per upload ({source}). Satchel will split it.",
        "此批次有 {count} 件郵件；EC-Ship 每次上載最多 {limit} 件（{source}）。Satchel 會把它分拆。";
    "R-034.over_20_per_country" =>
        "{count} labels for {country}: EC-Ship prepares at most {limit} labels for one destination at a time ({source}).",
        "寄往 {country} 的標籤有 {count} 張：EC-Ship 每次最多為同一目的地預備 {limit} 張標籤（{source}）。";
    "R-038.customs_missing" =>
        "International items need a customs declaration (CN22/CN23): add the category and contents.",
        "國際郵件須附海關申報（CN22/CN23）：請填寫郵件類別及內容。";
    "R-038.cn23_required" =>
        "Declared value HK${total} is over HK${limit} (300 SDR as configured): a CN23 customs declaration is needed.",
        "申報價值 HK${total} 超過 HK${limit}（設定的 300 特別提款權）：須填寫 CN23 海關申報表。";
    "R-049.return_address_not_hk" =>
        "The sender (return) address must be in Hong Kong; EC-Ship items may not bear a return address outside Hong Kong.",
        "寄件人（回郵）地址必須位於香港；EC-Ship 郵件不得使用香港以外的回郵地址。";
    "R-051.mcn_return_address" =>
        "A Mail Collection Number (MCN) address is not a proper return address. Use the sender's street address.",
        "郵件領取號碼（MCN）地址不是有效的回郵地址。請使用寄件人的街道地址。";
    "R-063.us_goods_suspended" =>
        "Hongkong Post has suspended items containing goods to the United States. Only documents can be sent.",
        "香港郵政已暫停收寄寄往美國而載有貨品的郵件，只可寄送文件。";
    "R-064.us_zip_invalid" =>
        "A US address needs a valid ZIP code (12345 or 12345-6789); EC-Ship will not create the label without one.",
        "美國地址須有有效的郵遞區號（12345 或 12345-6789）；否則 EC-Ship 不會製作標籤。";
    "R-065.office_of_exchange_from_ecship" =>
        "EC-Ship assigns the US Office of Exchange from the ZIP code and prints it on the label (e.g. 1-JFK). Keep New York (JFK) items apart from all others when posting.",
        "EC-Ship 會按郵遞區號編配美國互換局並印於標籤上（例如 1-JFK）。交寄時須把紐約（JFK）郵件與其他郵件分開。";
    "R-069.not_plain_english" =>
        "Items to the EU, Switzerland or Norway: use English letters, numbers and spaces only, no punctuation. Suggested: \"{cleaned}\".",
        "寄往歐盟、瑞士或挪威的郵件：只可使用英文字母、數字及空格，不可有標點符號。建議：「{cleaned}」。";
    "R-069.chinese_characters" =>
        "Items to the EU, Switzerland or Norway: this text has Chinese characters. Write it in English (letters, numbers and spaces only). Left after removing them: \"{cleaned}\".",
        "寄往歐盟、瑞士或挪威的郵件：此欄含有中文字。請以英文填寫（只限字母、數字及空格）。移除中文後剩下：「{cleaned}」。";
    "R-071.sms_mobile_missing" =>
        "Items to the EU, Switzerland or Norway need the sender's Hong Kong mobile number that can receive SMS from Hongkong Post.",
        "寄往歐盟、瑞士或挪威的郵件須提供可接收香港郵政短訊的寄件人香港手提電話號碼。";
    "R-071.not_hk_mobile" =>
        "\"{number}\" is not a Hong Kong mobile number (8 digits starting 4–9, optionally with +852).",
        "「{number}」不是香港手提電話號碼（8 位數字，以 4 至 9 開頭，可加 +852）。";
    "R-071.pager_block" =>
        "{number} is in a pager range; it may not receive Hongkong Post's SMS. Use a mobile number.",
        "{number} 屬傳呼機號碼範圍，未必能接收香港郵政短訊。請使用手提電話號碼。";
    "R-071.personal_number_block" =>
        "{number} is a personal number, not a mobile line; it may not receive Hongkong Post's SMS.",
        "{number} 是個人號碼，不是手提電話線路，未必能接收香港郵政短訊。";
    "R-071.fixed_line" =>
        "{number} is a fixed line and cannot receive SMS. Use a mobile number.",
        "{number} 是固網電話，無法接收短訊。請使用手提電話號碼。";
    "R-071.not_known_mobile_range" =>
        "{number} is not in a mobile range known to Satchel's phone data; check that it can receive SMS.",
        "{number} 不在 Satchel 電話資料所知的手提電話號碼範圍內，請確認可接收短訊。";
    "R-074.hs_code_format" =>
        "HS code \"{code}\" must be 6 to 10 digits with nothing else.",
        "HS 編碼「{code}」必須是 6 至 10 位數字，不可有其他字元。";
    "R-074.hs_code_missing" =>
        "Add the HS code that matches this item; a missing or wrong code can delay or return the item.",
        "請填寫與此物品相符的 HS 編碼；欠缺或錯誤的編碼可能令郵件延誤或被退回。";
    "R-076.other_without_explanation" =>
        "The category is \"Other\": explain what the item is.",
        "郵件類別為「其他」：請說明郵件內容。";
    "R-076.no_content_lines" =>
        "List at least one content line (description, quantity, weight, value).",
        "請最少填寫一項內容（說明、數量、重量、價值）。";
    "R-076.description_missing" =>
        "Describe the contents in detail (e.g. \"two men's cotton shirts\").",
        "請詳細說明內容（例如「男裝棉質恤衫兩件」）。";
    "R-076.quantity_zero" =>
        "The quantity must be at least 1.",
        "數量最少為 1。";
    "R-076.value_negative" =>
        "The value cannot be negative.",
        "價值不可為負數。";
    "R-076.net_weight_exceeds_gross" =>
        "The contents weigh {net_g} g in total, more than the item's {gross_g} g.",
        "內容淨重合共 {net_g} 克，超過郵件重量 {gross_g} 克。";
    "R-077.vague_description" =>
        "\"{description}\" is too vague for customs. Say what it is, e.g. \"men's cotton shirt\" rather than \"garment\" or \"gift\".",
        "「{description}」對海關而言過於籠統。請寫明物品，例如「男裝棉質恤衫」而非「衣物」或「禮物」。";
    "R-078.net_weight_missing" =>
        "Enter the net weight of this content line.",
        "請輸入此項內容的淨重。";
    "R-079.currency_missing" =>
        "State the currency of the value as a 3-letter code, e.g. HKD.",
        "請以三個字母的代碼註明價值的貨幣，例如 HKD。";
    "R-079.mixed_currencies" =>
        "Content lines use different currencies ({currencies}); use one currency per item.",
        "各項內容使用不同貨幣（{currencies}）；每件郵件請只用一種貨幣。";
    "R-080.hs_code_required" =>
        "Speedpost merchandise and samples need an 8-digit HS code.",
        "特快專遞寄送的商品及樣本須填寫 8 位數字的 HS 編碼。";
    "R-080.hs_code_not_8_digits" =>
        "Speedpost merchandise and samples need an 8-digit HS code; \"{code}\" has {digits}.",
        "特快專遞寄送的商品及樣本須填寫 8 位數字的 HS 編碼；「{code}」有 {digits} 位。";
    "R-081.origin_missing" =>
        "Enter the country of origin: where the goods were produced, manufactured or assembled.",
        "請填寫原產地：貨品生產、製造或裝配的國家或地區。";
    "R-081.origin_format" =>
        "Country of origin \"{origin}\" must be a 2-letter country code, e.g. HK or CN.",
        "原產地「{origin}」必須是兩個字母的國家或地區代碼，例如 HK 或 CN。";
    "R-082.cn23_required" =>
        "Speedpost contents over HK${limit} (here HK${total}): attach the upper part of a CN22 (Pos 401G) and submit a completed CN23 (Pos 401C).",
        "特快專遞內容價值超過 HK${limit}（此件 HK${total}）：須貼上 CN22（Pos 401G）上半部並遞交已填妥的 CN23（Pos 401C）。";
    "R-085.duplicate_item_number" =>
        "Item number {item_number} is also used by item {first}; every item needs its own number.",
        "郵件編號 {item_number} 已用於第 {first} 件郵件；每件郵件須有獨立編號。";
    "R-088.chinese_in_parcel_declaration" =>
        "Parcel declarations must be in English; Chinese is allowed only for Macao, the Mainland and Taiwan.",
        "包裹申報須以英文填寫；只有寄往澳門、內地及台灣的包裹可用中文。";
    "R-090.non_delivery_missing" =>
        "Choose what to do if the parcel cannot be delivered: return by air, return by surface, or abandon.",
        "請選擇包裹無法派遞時的處理方法：空郵退回、平郵退回或放棄。";
    "R-093.destination_not_served" =>
        "{service} does not go to {country} ({zone}).",
        "{service} 不提供寄往 {country}（{zone}）的服務。";
    "R-115.insured_over_declared" =>
        "The insured amount HK${insured} is more than the declared value HK${declared}; compensation never exceeds the declared value.",
        "投保金額 HK${insured} 高於申報價值 HK${declared}；賠償額不會超過申報價值。";
    "R-115.declared_not_hkd" =>
        "The declared value is not in HKD, so Satchel cannot check that the insured amount does not exceed it.",
        "申報價值並非以港元計算，Satchel 無法核對投保金額是否超過申報價值。";
    "R-123.over_weight_limit" =>
        "{weight_g} g is over the {limit_g} g limit for this service to this destination.",
        "{weight_g} 克超過此服務寄往該目的地的上限 {limit_g} 克。";
    "R-123.over_format_limit" =>
        "{weight_g} g is over the {limit_g} g limit of this format; choose a larger format.",
        "{weight_g} 克超過此郵件規格的上限 {limit_g} 克；請選擇較大的規格。";
    "R-136.insured_over_declared" =>
        "The insured amount HK${insured} is more than the contents' value HK${declared}; a parcel insured above its real value gets no compensation.",
        "投保金額 HK${insured} 高於內容價值 HK${declared}；投保金額高於實際價值的包裹不獲賠償。";
    "R-138.posting_under_20_items" =>
        "An iMail posting needs at least {min} items; this one has {count}.",
        "每次投寄 iMail 最少須有 {min} 件郵件；這次只有 {count} 件。";
    "R-138.destination_under_5_items" =>
        "iMail needs at least {min} items per destination; {destination} has {count}.",
        "iMail 每個目的地最少須有 {min} 件郵件；{destination} 只有 {count} 件。";
    "R-139.average_under_100g" =>
        "iMail items must average at least 100 g; this posting averages {average_g} g.",
        "iMail 郵件平均重量最少須為 100 克；這次投寄平均 {average_g} 克。";
    "R-140.posting_under_2kg" =>
        "An iMail posting must weigh at least 2 kg; this one weighs {total_g} g.",
        "每次投寄 iMail 總重量最少須為 2 公斤；這次為 {total_g} 克。";
    "R-141.imail_item_over_2kg" =>
        "No iMail item may weigh more than 2 kg; this one weighs {weight_g} g.",
        "每件 iMail 郵件不得超過 2 公斤；此件重 {weight_g} 克。";
    "R-186.mcn_line_format" =>
        "\"{line}\" looks like a Mail Collection Number but not in the form the counter reads: write it as MCN: 0354 7901 (PLCMC).",
        "「{line}」似是郵件領取編號，但格式不符櫃位要求：請寫成 MCN: 0354 7901 (PLCMC)。";
    "R-144.permit_missing" =>
        "iMail is posted under a permit: enter the permit number Hongkong Post gave you.",
        "iMail 須以許可證投寄：請輸入香港郵政發出的許可證號碼。";
    "R-203.permit_format" =>
        "\"{permit}\" is not a permit account number: permit numbers start with PM, followed by digits.",
        "「{permit}」不是許可證帳戶號碼：許可證號碼以 PM 開頭，後接數字。";
    "R-142.bag_over_limit" =>
        "Bag {bag} weighs {weight_g} g; bags to {destination} may weigh at most {limit_g} g.",
        "第 {bag} 號郵袋重 {weight_g} 克；寄往 {destination} 的郵袋最多 {limit_g} 克。";
    "R-148.mixed_destinations" =>
        "Bag {bag} holds items for several destinations ({destinations}); each bag may hold one destination only.",
        "第 {bag} 號郵袋載有寄往多個目的地的郵件（{destinations}）；每個郵袋只可載寄往同一目的地的郵件。";
    "R-148.item_not_bag_destination" =>
        "This item is for {destination} but bag {bag} is for {bag_destination}.",
        "此郵件寄往 {destination}，但第 {bag} 號郵袋是寄往 {bag_destination} 的。";
    "R-148.unknown_bag" =>
        "Bag {bag} does not exist in this posting.",
        "這次投寄沒有第 {bag} 號郵袋。";
    "R-148.duplicate_bag_number" =>
        "Bag number {bag} is used twice.",
        "郵袋編號 {bag} 重複。";
    "R-149.bag_without_destination" =>
        "Bag {bag} has no destination. Residual bags were discontinued on 1 March 2019: bag each destination separately.",
        "第 {bag} 號郵袋未有目的地。混合郵袋已於 2019 年 3 月 1 日停用：每個目的地須分開入袋。";
    "R-169.letter_sum_over_900" =>
        "Length, width and depth add up to {sum_mm} mm; letters and packets may total at most 900 mm.",
        "長、闊、高合共 {sum_mm} 毫米；信件及郵包合計最多 900 毫米。";
    "R-169.letter_longest_over_600" =>
        "The longest side is {longest_mm} mm; letters and packets may be at most 600 mm long.",
        "最長一邊為 {longest_mm} 毫米；信件及郵包最長 600 毫米。";
    "R-169.letter_below_minimum" =>
        "The item is smaller than the 90 × 140 mm minimum for letters and packets.",
        "郵件小於信件及郵包的最小尺寸 90 × 140 毫米。";
    "R-172.parcel_length_over_xp" =>
        "The parcel is {length_mm} mm long; parcels may be at most 1,500 mm long.",
        "包裹長 {length_mm} 毫米；包裹最長 1,500 毫米。";
    "R-172.parcel_girth_over_xp" =>
        "Length plus girth is {length_girth_mm} mm; the limit to this destination is {limit_mm} mm.",
        "長度加周長為 {length_girth_mm} 毫米；寄往此目的地的上限為 {limit_mm} 毫米。";
    "R-172.parcel_over_p" =>
        "Over the standard parcel size (1,050 mm long, 2,000 mm length plus girth): only destinations that accept large (XP) parcels will take it.",
        "超過標準包裹尺寸（長 1,050 毫米、長度加周長 2,000 毫米）：只有接受大型（XP）包裹的目的地才會收寄。";
    "S-001.name_missing" =>
        "Enter a name or a company: the label needs someone to deliver to.",
        "請輸入姓名或公司名稱：郵件標籤須註明收件人。";
    "S-002.address_missing" =>
        "Enter at least one address line.",
        "請至少輸入一行地址。";
    "S-003.country_unknown" =>
        "\"{country}\" is not a country code. Use the two-letter ISO code, e.g. GB, JP, US.",
        "「{country}」不是國家代碼。請使用兩個字母的 ISO 代碼，例如 GB、JP、US。";
}

/// The catalog entry for `key`, if there is one.
pub fn lookup(key: &str) -> Option<&'static MessageText> {
    CATALOG.iter().find(|m| m.key == key)
}

/// The text of `key` in `locale` with `{name}` placeholders filled from `params`. An unknown
/// key returns the key itself, so a missing text is visible rather than blank.
pub fn message(key: &str, locale: Locale, params: &BTreeMap<&str, String>) -> String {
    let Some(m) = lookup(key) else {
        return key.to_owned();
    };
    let template = match locale {
        Locale::En => m.en,
        Locale::ZhHk => m.zh_hk,
    };
    fill(template, params)
}

fn fill(template: &str, params: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match params.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template, sorted.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut v = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        v.push(&after[..close]);
        rest = &after[close + 1..];
    }
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_both_texts_and_they_are_not_empty() {
        for m in CATALOG {
            assert!(!m.en.trim().is_empty(), "{} en", m.key);
            assert!(!m.zh_hk.trim().is_empty(), "{} zh", m.key);
            assert_ne!(m.en, m.zh_hk, "{} is not translated", m.key);
            assert!(
                m.zh_hk.chars().any(crate::customs::is_han),
                "{} zh has no Chinese",
                m.key
            );
        }
    }

    #[test]
    fn keys_are_unique_and_placeholders_match_between_languages() {
        let mut keys: Vec<_> = CATALOG.iter().map(|m| m.key).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate key");
        for m in CATALOG {
            assert_eq!(placeholders(m.en), placeholders(m.zh_hk), "{}", m.key);
        }
    }

    #[test]
    fn fills_placeholders_and_leaves_unknown_ones_visible() {
        let p = BTreeMap::from([("limit_g", "50".to_owned()), ("weight_g", "60".to_owned())]);
        assert_eq!(
            message("R-123.over_format_limit", Locale::En, &p),
            "60 g is over the 50 g limit of this format; choose a larger format."
        );
        assert_eq!(
            message("R-123.over_format_limit", Locale::ZhHk, &p),
            "60 克超過此郵件規格的上限 50 克；請選擇較大的規格。"
        );
        assert_eq!(fill("a {x} b {y", &p), "a {x} b {y");
        assert_eq!(message("no.such.key", Locale::En, &p), "no.such.key");
    }
}
