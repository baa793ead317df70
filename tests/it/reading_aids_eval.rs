//! The reading aids against the hand-checked evaluation set (`tests/reading_aids_eval/`):
//! prints the accuracies (`cargo test --test it reading_aids_eval -- --nocapture`) and fails
//! below the targets. `cargo bench --bench reading_aids` compares with the previous rules.

#[path = "../reading_aids_eval/score.rs"]
mod score;

use kaiwa::app::conversations::reading_aids::{japanese, korean, mandarin};

#[test]
fn reading_aids_reach_their_targets_on_the_evaluation_set() {
    let ja = score::japanese(japanese::romaji, japanese::furigana);
    let zh = score::mandarin(mandarin::ruby_pairs);
    let ko = score::korean(korean::romanize);
    for miss in ja.misses.iter().chain(&zh.misses).chain(&ko.misses) {
        println!("{miss}");
    }
    println!("Japanese romaji, whole sentence      {}", ja.sentences);
    println!(
        "Japanese romaji, with word breaks    {}",
        ja.sentences_spaced
    );
    println!("Japanese particles は/へ/を as wa/e/o {}", ja.particles);
    println!("Japanese furigana, kanji runs        {}", ja.kanji_runs);
    println!("Mandarin characters with tone        {}", zh.characters);
    println!("Mandarin common polyphones           {}", zh.polyphones);
    println!("Mandarin whole sentence              {}", zh.sentences);
    println!("Korean RR, whole sentence            {}", ko.sentences);
    assert!(ja.sentences.percent() >= 90.0, "romaji {}", ja.sentences);
    assert!(ja.particles.percent() >= 98.0, "particles {}", ja.particles);
    assert!(
        ja.kanji_runs.percent() >= 96.0,
        "furigana {}",
        ja.kanji_runs
    );
    assert!(zh.characters.percent() >= 99.0, "pinyin {}", zh.characters);
    assert!(
        zh.polyphones.percent() >= 95.0,
        "polyphones {}",
        zh.polyphones
    );
    assert!(ko.sentences.percent() >= 90.0, "korean {}", ko.sentences);
}
