//! Newer versions of the bundled rate files, as the operator would publish them, for the
//! tariff-update tests (issue #16): the same JSON shape with a new `lastUpdateDate` and one
//! known change, so a test can assert exactly what moved.

use satchel_core::rates::BUNDLED;

pub const ORD: &str = "postageRate-intl-ORD.json";
pub const EXP: &str = "postageRate-intl-EXP.json";

/// A bundled file's text by name.
pub fn bundled(name: &str) -> &'static str {
    BUNDLED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| *json)
        .unwrap_or_else(|| panic!("no bundled file {name}"))
}

/// The ORD file re-dated 26 Sep 2022 with the air small letter to Taiwan at HK$3.70 for the
/// first 20 g (HK$3.40 in the bundled 2021 file): the letter revision the bundled file misses.
pub fn letter_revision_2022() -> String {
    let mut v: serde_json::Value = serde_json::from_str(bundled(ORD)).expect("bundled JSON");
    v["lastUpdateDate"] = "2022-09-26 00:00:00".into();
    for s in v["data"].as_array_mut().expect("data") {
        if s["serviceNameEN"] == "Air Mail (Small Letter)" {
            for e in s["postage"].as_array_mut().expect("postage") {
                if e["destinationCode"] == "TW" {
                    e["weightStep"][0]["amount"] = "3.70".into();
                }
            }
        }
    }
    v.to_string()
}

/// The e-Express file re-dated 2 Jan 2024 with Italy added (at Austria's prices).
pub fn e_express_with_italy_2024() -> String {
    let mut v: serde_json::Value = serde_json::from_str(bundled(EXP)).expect("bundled JSON");
    v["lastUpdateDate"] = "2024-01-02 00:00:00".into();
    let list = v["data"][0]["postage"].as_array_mut().expect("postage");
    let mut italy = list[0].clone();
    italy["destinationCode"] = "IT".into();
    italy["zoneCode"] = "IT".into();
    italy["destinationNameEN"] = "ITALY".into();
    list.push(italy);
    v.to_string()
}
