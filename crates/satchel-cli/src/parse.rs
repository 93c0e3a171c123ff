//! Parsers for the values people type: weights, dimensions, dates, service and category ids.
//!
//! Weights are where typing meets money: a price step boundary is a whole gram (Speedpost US
//! 500 g is HK$357, 501 g is more), so "0.5kg" must become exactly 500 g. Parsing is done on
//! the digits, never through a float, and anything that is not a whole number of grams is
//! refused rather than rounded. Each parser returns a sentence saying what is wrong; clap
//! adds the argument's name and exits with 2.

use chrono::NaiveDate;
use satchel_core::model::{ContentCategory, Dimensions, Grams, Millimetres};
use satchel_core::service::Service;
use satchel_core::validate::Locale;

const WEIGHT_EXAMPLES: &str = "e.g. 450g, 450, 1.2kg or \"2 kg\"";

/// "450g", "450", "450 g", "1.2kg", "2 kg", "0.045KG" → whole grams.
pub fn weight(input: &str) -> Result<Grams, String> {
    let text = input.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(format!("no weight given ({WEIGHT_EXAMPLES})"));
    }
    if text.starts_with('-') {
        return Err("a weight cannot be negative".into());
    }
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = (text[..split].trim(), text[split..].trim());
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (number, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(format!("not a weight ({WEIGHT_EXAMPLES})"));
    }
    let too_heavy = || format!("{input:?} is too heavy to be a postal item");
    let grams: u64 = match unit {
        "" | "g" => {
            if fraction.is_some() {
                return Err("grams must be whole (postage is priced per gram); \
                     write e.g. 450g or 0.45kg"
                    .into());
            }
            whole.parse().map_err(|_| too_heavy())?
        }
        "kg" => {
            let fraction = fraction.unwrap_or("");
            if fraction.len() > 3 {
                return Err("at most 3 decimals of kg: weights are whole grams".into());
            }
            let kg: u64 = whole.parse().map_err(|_| too_heavy())?;
            // "1.2" → 200 g: pad the decimals to three digits, i.e. to grams.
            let g: u64 = format!("{fraction:0<3}").parse().unwrap_or(0);
            kg.checked_mul(1000)
                .and_then(|x| x.checked_add(g))
                .ok_or_else(too_heavy)?
        }
        other => return Err(format!("unknown unit {other:?}: use g or kg")),
    };
    if grams == 0 {
        return Err("the weight must be more than 0 g".into());
    }
    Grams::try_from(grams).map_err(|_| too_heavy())
}

/// "300x200x100" (millimetres; an `mm` suffix and spaces are allowed) → dimensions.
pub fn dimensions(input: &str) -> Result<Dimensions, String> {
    let text = input.trim().to_ascii_lowercase();
    let text = text.strip_suffix("mm").unwrap_or(&text);
    let sides: Vec<&str> = text.split(['x', '×', '*']).map(str::trim).collect();
    let [l, w, h] = sides[..] else {
        return Err("expected three sides in millimetres, LxWxH, e.g. 300x200x100".into());
    };
    let side = |s: &str| -> Result<Millimetres, String> {
        match s.parse::<Millimetres>() {
            Ok(0) => Err("a side cannot be 0 mm".into()),
            Ok(v) => Ok(v),
            Err(_) => Err(format!(
                "{s:?} is not a whole number of millimetres (e.g. 300x200x100)"
            )),
        }
    };
    Ok(Dimensions {
        length: side(l)?,
        width: side(w)?,
        height: side(h)?,
    })
}

/// A calendar day, day first or ISO (`satchel_core::dates`, issue #15).
pub fn date(input: &str) -> Result<NaiveDate, String> {
    satchel_core::dates::parse(input).ok_or_else(|| {
        "expected a real calendar day, day first (DD/MM/YYYY) or YYYY-MM-DD, e.g. 01/03/2024".into()
    })
}

/// A [`Service::id`], case-insensitive, `-` accepted for `_`.
pub fn service(input: &str) -> Result<Service, String> {
    let id = input.trim().to_ascii_lowercase().replace('-', "_");
    Service::from_id(&id).ok_or_else(|| {
        let ids: Vec<String> = Service::all().into_iter().map(Service::id).collect();
        format!("unknown service; one of: {}", ids.join(", "))
    })
}

/// The CLI and JSON name of a category (`sale_of_goods`).
pub fn category_id(category: ContentCategory) -> String {
    category.id().to_owned()
}

/// A shipment state by its name (`draft`, `ready`, ...).
pub fn shipment_state(input: &str) -> Result<satchel_store::ShipmentState, String> {
    satchel_store::ShipmentState::from_id(&input.trim().to_ascii_lowercase()).ok_or_else(|| {
        let all: Vec<&str> = satchel_store::ShipmentState::ALL
            .iter()
            .map(|s| s.id())
            .collect();
        format!("unknown state; one of {}", all.join(", "))
    })
}

/// An http(s) service address. `http://` is accepted for a local test server (the EC-Ship
/// simulator); EC-Ship itself is https.
pub fn http_url(input: &str) -> Result<String, String> {
    let u = input.trim();
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or("expected an address starting with https://")?;
    if rest.is_empty() || rest.starts_with('/') || u.contains(char::is_whitespace) {
        return Err("expected an address with a host name, e.g. https://service.hongkongpost.hk/API-trial/services".into());
    }
    Ok(u.to_owned())
}

/// "HOST:PORT" (a name, an IPv4 address, or `[IPv6]`) for a raw printer port. Only the form
/// is checked here; the name is resolved when the bytes are sent.
pub fn host_port(input: &str) -> Result<(String, u16), String> {
    let text = input.trim();
    let (host, port) = text
        .rsplit_once(':')
        .ok_or("expected HOST:PORT, e.g. 192.168.1.50:9100")?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains(['[', ']']) {
        return Err("expected HOST:PORT, e.g. 192.168.1.50:9100".into());
    }
    if host.contains(':') && !text.starts_with('[') {
        return Err("write an IPv6 address in brackets, e.g. [fe80::1]:9100".into());
    }
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p != 0)
        .ok_or("the port must be a number from 1 to 65535")?;
    Ok((host.to_owned(), port))
}

/// A [`ContentCategory`] as the core reads one everywhere (`sale_of_goods`, "Sale of goods").
pub fn category(input: &str) -> Result<ContentCategory, String> {
    ContentCategory::from_id(input).ok_or_else(|| {
        let ids: Vec<&str> = ContentCategory::ALL.into_iter().map(|c| c.id()).collect();
        format!("unknown category; one of: {}", ids.join(", "))
    })
}

/// `en` or `zh-HK` (case and `_`/`-` ignored).
pub fn locale(input: &str) -> Result<Locale, String> {
    match input.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "en" => Ok(Locale::En),
        "zh-hk" => Ok(Locale::ZhHk),
        _ => Err("expected en or zh-HK".into()),
    }
}

/// `KEY=CODE` for a code table entry: a lowercase id and 1–10 letters or digits.
pub fn code_pair(input: &str) -> Result<(String, String), String> {
    let (k, v) = input
        .split_once('=')
        .ok_or_else(|| format!("{input:?}: write it as KEY=CODE"))?;
    let (k, v) = (k.trim(), v.trim());
    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(format!("{k:?} is not a service or instruction id"));
    }
    if !satchel_ecship::mapping::is_code(v) {
        return Err(format!("{v:?} is not a code: 1 to 10 letters or digits"));
    }
    Ok((k.to_owned(), v.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_addresses_are_http_urls_with_a_host() {
        assert_eq!(
            http_url(" https://service.hongkongpost.hk/API-trial/services ").unwrap(),
            "https://service.hongkongpost.hk/API-trial/services"
        );
        assert!(http_url("http://127.0.0.1:8080/API-sim/services").is_ok());
        for bad in [
            "ftp://x",
            "service.hongkongpost.hk",
            "https://",
            "https:///x",
            "https://a b",
        ] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_become_exact_grams() {
        for (text, grams) in [
            ("450g", 450),
            ("450", 450),
            ("450 g", 450),
            (" 450G ", 450),
            ("1.2kg", 1200),
            ("2 kg", 2000),
            ("0.5kg", 500),
            ("0.001kg", 1),
            ("1.25KG", 1250),
            ("30kg", 30_000),
        ] {
            assert_eq!(weight(text), Ok(grams), "{text}");
        }
    }

    #[test]
    fn bad_weights_are_refused_with_a_reason() {
        for (text, why) in [
            ("abc", "not a weight"),
            ("", "no weight"),
            ("-5g", "negative"),
            ("0", "more than 0"),
            ("0kg", "more than 0"),
            ("0.000kg", "more than 0"),
            ("1.2345kg", "3 decimals"),
            ("450.5g", "whole"),
            ("450lb", "unknown unit"),
            ("1,2kg", "not a weight"),
            (".5kg", "not a weight"),
            ("1.kg", "not a weight"),
            ("99999999999g", "too heavy"),
            ("4294968kg", "too heavy"),
        ] {
            let err = weight(text).expect_err(text);
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn dimensions_are_millimetres() {
        let d = dimensions("300x200x100").unwrap();
        assert_eq!((d.length, d.width, d.height), (300, 200, 100));
        assert!(dimensions("300 X 200 x 100 mm").is_ok());
        assert!(dimensions("300x200").is_err());
        assert!(dimensions("300x0x100").is_err());
        assert!(dimensions("30.5x20x10").is_err());
    }

    #[test]
    fn ids_round_trip() {
        for s in Service::all() {
            assert_eq!(service(&s.id()), Ok(s));
        }
        assert_eq!(
            service("Air-Registered.Packet"),
            service("air_registered.packet")
        );
        for c in ContentCategory::ALL {
            assert_eq!(category(&category_id(c)), Ok(c));
            // As a CSV file or a person writes it: the same reader as the import (core).
            assert_eq!(category(&category_id(c).replace('_', " ")), Ok(c));
        }
        assert_eq!(category("sale-of-goods"), Ok(ContentCategory::SaleOfGoods));
        assert!(category("food").is_err());
        assert_eq!(locale("zh-HK"), Ok(Locale::ZhHk));
        assert_eq!(locale("zh_hk"), Ok(Locale::ZhHk));
        assert!(locale("fr").is_err());
        assert!(date("2024-02-30").is_err());
        assert!(date("2024-02-29").is_ok());
    }

    #[test]
    fn host_and_port() {
        assert_eq!(host_port("10.0.0.5:9100"), Ok(("10.0.0.5".into(), 9100)));
        assert_eq!(host_port("zebra.lan:9100"), Ok(("zebra.lan".into(), 9100)));
        assert_eq!(host_port("[fe80::1]:9100"), Ok(("fe80::1".into(), 9100)));
        for bad in [
            "zebra",
            ":9100",
            "zebra:",
            "zebra:0",
            "zebra:70000",
            "fe80::1:9100",
            "a b:1",
        ] {
            assert!(host_port(bad).is_err(), "{bad}");
        }
    }
}
