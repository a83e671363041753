//! Test data shared by the benchmarks.

/// Text of exactly `chars` characters (before trimming), mixing scripts
/// and line breaks like real descriptions; `seed` varies it per locale.
pub fn text(chars: usize, seed: usize) -> String {
    let words = [
        "Marquee",
        "films",
        "journal",
        "détails",
        "映画",
        "كتاب",
        "watchlist",
        "über",
        "rate",
        "log",
    ];
    let mut s = String::new();
    let mut i = seed;
    while s.chars().count() < chars {
        s.push_str(words[i % words.len()]);
        s.push(if i % 11 == 10 { '\n' } else { ' ' });
        i += 1;
    }
    s.chars().take(chars).collect::<String>().trim().to_owned()
}
