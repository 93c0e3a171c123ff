//! Store benchmarks that print figures (issue #4 targets): search-as-you-type p99 at
//! 100,000 contacts (target < 2 ms), and bulk import of 5,000 rows (target: well under a
//! second). Run with `cargo xtask bench` or `cargo bench -p satchel-store --bench store`.
//!
//! The address book is synthetic but shaped like a real one: Cantonese, Mandarin and Latin
//! names that repeat (so common prefixes match thousands of rows), addresses in both scripts,
//! phone numbers. Queries replay a merchant typing: each prefix of a name, Chinese fragments,
//! phone digits, a street.

use std::time::{Duration, Instant};

use satchel_store::csv_io::{DuplicatePolicy, Table};
use satchel_store::{ContactQuery, Store};

const SURNAMES: &[(&str, &str)] = &[
    ("Chan", "陳"),
    ("Wong", "黃"),
    ("Lee", "李"),
    ("Cheung", "張"),
    ("Lau", "劉"),
    ("Ho", "何"),
    ("Ng", "吳"),
    ("Leung", "梁"),
    ("Lam", "林"),
    ("Tang", "鄧"),
    ("Sato", "佐藤"),
    ("Suzuki", "鈴木"),
    ("Smith", ""),
    ("Müller", ""),
    ("García", ""),
    ("Nguyen", ""),
    ("Kim", "金"),
    ("Tanaka", "田中"),
    ("Brown", ""),
    ("Wang", "王"),
];
const GIVEN: &[(&str, &str)] = &[
    ("Tai Man", "大文"),
    ("Siu Ming", "小明"),
    ("Ka Yan", "嘉欣"),
    ("Wing Sze", "詠詩"),
    ("Akiko", "明子"),
    ("Hiroshi", "博"),
    ("Anna", ""),
    ("James", ""),
    ("Sofia", ""),
    ("Minh", ""),
    ("Ji-woo", "智宇"),
    ("Oliver", ""),
    ("Mei Ling", "美玲"),
    ("Chi Keung", "志強"),
];
const STREETS: &[&str] = &[
    "Nathan Road 彌敦道",
    "Queen's Road Central 皇后大道中",
    "Hennessy Road 軒尼詩道",
    "Ginza 銀座",
    "Oxford Street",
    "Hauptstraße",
    "Gran Vía",
    "Orchard Road",
    "Main Street",
    "Shinjuku 新宿",
    "Collins Street",
    "Rue de Rivoli",
];
const PLACES: &[(&str, &str)] = &[
    ("Tokyo", "JP"),
    ("London", "GB"),
    ("Berlin", "DE"),
    ("Madrid", "ES"),
    ("Singapore", "SG"),
    ("Melbourne", "AU"),
    ("Paris", "FR"),
    ("Toronto", "CA"),
    ("Taipei", "TW"),
    ("Seoul", "KR"),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.next() % xs.len()]
    }
}

fn csv(rows: usize, seed: u64) -> (String, Vec<String>) {
    let mut rng = Rng(seed);
    let mut out = String::from("name,company,address,city,country,phone,tags\n");
    let mut names = Vec::new();
    for i in 0..rows {
        let (sur, sur_zh) = rng.pick(SURNAMES);
        let (given, given_zh) = rng.pick(GIVEN);
        let name = if sur_zh.is_empty() || given_zh.is_empty() {
            format!("{given} {sur}")
        } else {
            format!("{sur_zh}{given_zh} {sur} {given}")
        };
        let (city, country) = rng.pick(PLACES);
        let company = if i % 7 == 0 {
            format!("Trading Co {i}")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{name},{company},{} {},{city},{country},+{:010},{}\n",
            i + 1,
            rng.pick(STREETS),
            rng.next() % 10_000_000_000,
            if i % 11 == 0 { "vip" } else { "" }
        ));
        names.push(name);
    }
    (out, names)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn queries(names: &[String], rng: &mut Rng) -> Vec<String> {
    let mut q = Vec::new();
    for _ in 0..300 {
        let name = rng.pick(names);
        // Typing the name one character at a time.
        let chars: Vec<char> = name.chars().collect();
        for n in 1..=chars.len().min(8) {
            q.push(chars[..n].iter().collect());
        }
    }
    for frag in [
        "小明",
        "陳",
        "彌敦道",
        "銀座",
        "queen",
        "hauptstr",
        "trading co 7",
        "5551",
        "chan tai",
        "佐藤 akiko",
    ] {
        q.push(frag.to_owned());
    }
    q
}

fn main() {
    let dir = std::env::temp_dir().join(format!("satchel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // Import: 5,000 rows into a fresh file, five times.
    let (five_k, _) = csv(5_000, 7);
    let mut times = Vec::new();
    for run in 0..5 {
        let path = dir.join(format!("import-{run}.db"));
        let mut s = Store::open(&path).unwrap();
        let t = Instant::now();
        let r = s
            .import(
                Table::Contacts,
                &five_k,
                None,
                DuplicatePolicy::Review,
                None,
                &mut |_, _| {},
            )
            .unwrap();
        times.push(t.elapsed());
        assert_eq!(r.imported, 5_000);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "import 5,000 contacts: median {} ({:.0} rows/s), best {}, worst {}",
        ms(median),
        5_000.0 / median.as_secs_f64(),
        ms(times[0]),
        ms(times[times.len() - 1])
    );

    // Search at 100,000 contacts.
    let path = dir.join("search.db");
    let mut s = Store::open(&path).unwrap();
    let (hundred_k, names) = csv(100_000, 42);
    let t = Instant::now();
    s.import(
        Table::Contacts,
        &hundred_k,
        None,
        DuplicatePolicy::KeepExisting,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    println!(
        "(built 100,000 contacts in {:.2} s)",
        t.elapsed().as_secs_f64()
    );
    let mut rng = Rng(99);
    let qs = queries(&names, &mut rng);
    let search = |text: &str| {
        s.search_contacts(&ContactQuery {
            text: text.to_owned(),
            limit: 50,
            ..Default::default()
        })
        .unwrap()
    };
    for q in qs.iter().take(50) {
        search(q); // warm the page cache and statement cache
    }
    let mut lat = Vec::with_capacity(qs.len());
    let mut hits = 0usize;
    for q in &qs {
        let t = Instant::now();
        hits += search(q).len();
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "search 100,000 contacts, {} as-you-type queries (50 results max): p50 {}, p99 {}, max {}; {:.1} results/query",
        lat.len(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(lat[lat.len() - 1]),
        hits as f64 / qs.len() as f64
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}
