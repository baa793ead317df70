//! Revised Romanization of Korean (문화체육관광부 고시 제2000-8호) with the sound changes its
//! first article asks to reflect, applied between the syllables of each word (never across a
//! space): liaison (있어요 → 이써요, isseoyo), ㅎ dropped before a vowel (좋아요 → joayo),
//! nasalization (합니다 → 함니다, hamnida; 종로 → jongno; 국립 → gungnip), lateralization
//! (신라 → silla; 설날 → seollal), palatalization (같이 → 가치, gachi), aspiration (좋고 →
//! 조코, joko; 못해요 → motaeyo), and the simplification of double finals (읽어요 → ilgeoyo,
//! 없다 → eopda). Tensing is not written, as the rules say (학교 → hakgyo).

/// A consonant of Hangul, by its initial index (ㄱ = 0 … ㅎ = 18).
type Consonant = u8;

const G: Consonant = 0;
const KK: Consonant = 1;
const N: Consonant = 2;
const D: Consonant = 3;
const R: Consonant = 5;
const M: Consonant = 6;
const B: Consonant = 7;
const S: Consonant = 9;
const SS: Consonant = 10;
const NG: Consonant = 11; // ㅇ: silent as an initial
const J: Consonant = 12;
const CH: Consonant = 14;
const K: Consonant = 15;
const T: Consonant = 16;
const P: Consonant = 17;
const H: Consonant = 18;

const INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
/// The medial ㅣ (for palatalization).
const MEDIAL_I: u32 = 20;

/// The consonants of each final (index 0–27 of the Unicode order), first to last.
fn final_consonants(index: u32) -> Vec<Consonant> {
    match index {
        1 => vec![G],
        2 => vec![KK],
        3 => vec![G, S],
        4 => vec![N],
        5 => vec![N, J],
        6 => vec![N, H],
        7 => vec![D],
        8 => vec![R],
        9 => vec![R, G],
        10 => vec![R, M],
        11 => vec![R, B],
        12 => vec![R, S],
        13 => vec![R, T],
        14 => vec![R, P],
        15 => vec![R, H],
        16 => vec![M],
        17 => vec![B],
        18 => vec![B, S],
        19 => vec![S],
        20 => vec![SS],
        21 => vec![NG],
        22 => vec![J],
        23 => vec![CH],
        24 => vec![K],
        25 => vec![T],
        26 => vec![P],
        27 => vec![H],
        _ => vec![],
    }
}

/// The sound a final consonant has before a consonant or at the end: one of ㄱ ㄴ ㄷ ㄹ ㅁ
/// ㅂ ㅇ.
fn neutral(c: Consonant) -> Consonant {
    match c {
        G | KK | K => G,
        N => N,
        D | S | SS | J | CH | T | H => D,
        R => R,
        M => M,
        B | P => B,
        NG => NG,
        _ => c,
    }
}

fn aspirated(c: Consonant) -> Option<Consonant> {
    Some(match c {
        G => K,
        D => T,
        B => P,
        J => CH,
        _ => return None,
    })
}

#[derive(Debug, Clone)]
struct Syllable {
    initial: Consonant,
    medial: u32,
    /// The final's consonants (at most two); changed by the rules.
    last: Vec<Consonant>,
    /// The initial ㄹ is read l (after a final ㄹ).
    l_initial: bool,
}

fn syllable(c: char) -> Option<Syllable> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    let index = code - 0xAC00;
    Some(Syllable {
        initial: (index / 588) as Consonant,
        medial: (index % 588) / 28,
        last: final_consonants(index % 28),
        l_initial: false,
    })
}

/// Revised Romanization of `text`, word by word, after the sound changes; other characters
/// are kept as they are.
pub fn romanize(text: &str) -> String {
    let mut out = String::new();
    let mut word: Vec<Syllable> = Vec::new();
    for c in text.chars() {
        match syllable(c) {
            Some(s) => word.push(s),
            None => {
                out.push_str(&romanize_word(std::mem::take(&mut word)));
                out.push(c);
            }
        }
    }
    out.push_str(&romanize_word(word));
    out
}

fn romanize_word(mut word: Vec<Syllable>) -> String {
    for i in 0..word.len() {
        let (head, tail) = word.split_at_mut(i + 1);
        let this = &mut head[i];
        match tail.first_mut() {
            Some(next) => between(this, next),
            None => {
                // The end of the word: one consonant, neutralized (닭 → dak, 값 → gap).
                let last = match this.last.as_slice() {
                    [R, G] => vec![G],
                    [R, M] => vec![M],
                    [R, P] => vec![B],
                    [first, _] => vec![neutral(*first)],
                    [one] => vec![neutral(*one)],
                    _ => vec![],
                };
                this.last = last;
            }
        }
    }
    let mut out = String::new();
    for s in &word {
        if s.initial == R && s.l_initial {
            out.push('l');
        } else {
            out.push_str(INITIALS[s.initial as usize]);
        }
        out.push_str(MEDIALS[s.medial as usize]);
        out.push_str(match s.last.first() {
            Some(&G) => "k",
            Some(&N) => "n",
            Some(&D) => "t",
            Some(&R) => "l",
            Some(&M) => "m",
            Some(&B) => "p",
            Some(&NG) => "ng",
            _ => "",
        });
    }
    out
}

/// Applies the sound changes between the final of `this` and the initial of `next`, leaving
/// `this.last` neutralized (at most one consonant).
fn between(this: &mut Syllable, next: &mut Syllable) {
    // ㅎ in the final: aspirates ㄱ ㄷ ㅈ, makes ㅅ tense, becomes ㄴ before ㄴ, and is
    // silent before a vowel.
    if this.last.last() == Some(&H) {
        let rest = this.last.len() > 1;
        if let Some(a) = aspirated(next.initial) {
            next.initial = a;
            this.last.pop();
        } else if next.initial == S {
            next.initial = SS;
            this.last.pop();
        } else if next.initial == N {
            this.last.pop();
            if !rest {
                this.last.push(N);
            }
        } else if next.initial == NG {
            this.last.pop();
        } else {
            this.last.pop();
            if !rest {
                this.last.push(D);
            }
        }
    }
    // A final ㄱ ㄷ ㅂ ㅈ (or one that sounds so) before ㅎ: one aspirated consonant.
    if next.initial == H && !this.last.is_empty() {
        let sound = match this.last.as_slice() {
            [R, G] => Some(G),
            [R, B] => Some(B),
            [N, J] => Some(J),
            [one] => Some(*one),
            _ => None,
        };
        let aspirate = match sound {
            Some(G) | Some(KK) | Some(K) => Some(K),
            Some(B) | Some(P) => Some(P),
            Some(J) => Some(CH),
            Some(D) | Some(S) | Some(SS) | Some(CH) | Some(T) => Some(T),
            _ => None,
        };
        if let Some(a) = aspirate {
            next.initial = a;
            let keep = match this.last.as_slice() {
                [R, _] => vec![R],
                [N, J] => vec![N],
                _ => vec![],
            };
            this.last = keep;
            return;
        }
    }
    // Liaison: a final moves to a following vowel (the second of a double final does).
    if next.initial == NG && !this.last.is_empty() && this.last != [NG] {
        let moved = this.last.pop().unwrap_or(NG);
        // Palatalization: ㄷ ㅌ before 이 are ㅈ ㅊ.
        next.initial = match (moved, next.medial == MEDIAL_I) {
            (D, true) => J,
            (T, true) => CH,
            (m, _) => m,
        };
        if next.initial == R {
            // a final ㄹ carried over is still r before a vowel (길이 → giri)
        }
        if let Some(first) = this.last.first().copied() {
            this.last = vec![neutral(first)];
        }
        return;
    }
    // Double finals before a consonant keep one (ㄺ before ㄱ keeps ㄹ: 읽고 → ilgo).
    let mut last = match this.last.as_slice() {
        [R, G] if next.initial == G => R,
        [R, G] => G,
        [R, M] => M,
        [R, P] => B,
        [B, S] => B,
        [G, S] => G,
        [first, _] => *first,
        [one] => neutral(*one),
        _ => {
            return;
        }
    };
    let mut initial = next.initial;
    // ㄹ after a final other than ㄴ ㄹ is read ㄴ (종로 → 종노, 국립 → 국닙).
    if initial == R && !matches!(last, N | R) {
        initial = N;
    }
    // Nasalization: ㄱ ㄷ ㅂ before ㄴ ㅁ are ㅇ ㄴ ㅁ.
    if matches!(initial, N | M) {
        last = match last {
            G => NG,
            D => N,
            B => M,
            other => other,
        };
    }
    // Lateralization: ㄴ next to ㄹ is ㄹ.
    if last == N && initial == R {
        last = R;
    }
    if last == R && initial == N {
        initial = R;
    }
    if last == R && initial == R {
        next.l_initial = true;
    }
    this.last = vec![last];
    next.initial = initial;
}

#[cfg(test)]
mod tests {
    use super::romanize;

    #[test]
    fn liaison_moves_a_final_to_the_next_vowel() {
        assert_eq!(romanize("있어요"), "isseoyo");
        assert_eq!(romanize("읽어요"), "ilgeoyo");
        assert_eq!(romanize("앉으세요"), "anjeuseyo");
        assert_eq!(romanize("없어요"), "eopseoyo");
        assert_eq!(romanize("한국어"), "hangugeo");
    }

    #[test]
    fn h_is_silent_before_a_vowel_and_aspirates_a_neighbour() {
        assert_eq!(romanize("좋아요"), "joayo");
        assert_eq!(romanize("많이"), "mani");
        assert_eq!(romanize("좋고"), "joko");
        assert_eq!(romanize("좋다"), "jota");
        assert_eq!(romanize("못해요"), "motaeyo");
        assert_eq!(romanize("좋습니다"), "josseumnida");
        assert_eq!(romanize("전화"), "jeonhwa");
    }

    #[test]
    fn nasalization() {
        assert_eq!(romanize("감사합니다"), "gamsahamnida");
        assert_eq!(romanize("먹는"), "meongneun");
        assert_eq!(romanize("있는"), "inneun");
        assert_eq!(romanize("종로"), "jongno");
        assert_eq!(romanize("국립"), "gungnip");
        assert_eq!(romanize("심리"), "simni");
    }

    #[test]
    fn lateralization() {
        assert_eq!(romanize("신라"), "silla");
        assert_eq!(romanize("설날"), "seollal");
        assert_eq!(romanize("일년"), "illyeon");
    }

    #[test]
    fn palatalization() {
        assert_eq!(romanize("같이"), "gachi");
        assert_eq!(romanize("굳이"), "guji");
        assert_eq!(romanize("해돋이"), "haedoji");
    }

    #[test]
    fn finals_are_simplified_and_tensing_is_not_written() {
        assert_eq!(romanize("닭"), "dak");
        assert_eq!(romanize("값"), "gap");
        assert_eq!(romanize("읽고"), "ilgo");
        assert_eq!(romanize("없다"), "eopda");
        assert_eq!(romanize("학교"), "hakgyo");
        assert_eq!(
            romanize("안녕하세요, 반갑습니다!"),
            "annyeonghaseyo, bangapseumnida!"
        );
    }
}
