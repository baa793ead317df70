//! Compiles the vendored Japanese dictionary (IPADIC in `vendor/ipadic/`, plus the seed
//! scenarios' words in `ja_user.csv`) into vibrato's binary form once, at build time, and
//! writes it zstd-compressed to `OUT_DIR/ipadic.dic.zst`, which the binary embeds.
//!
//! why: compiling it at start took a second and, while it ran, about 170 MB more memory than
//! the finished dictionary needs (the server's peak); reading the binary form takes a fifth
//! of a second and about 100 MB at most.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

const IPADIC: &str = "vendor/ipadic";
const USER_LEXICON: &str = "src/app/conversations/reading_aids/ja_user.csv";

fn main() {
    for file in ["lex.csv.zst", "matrix.def.zst", "char.def", "unk.def"] {
        println!("cargo:rerun-if-changed={IPADIC}/{file}");
    }
    println!("cargo:rerun-if-changed={USER_LEXICON}");
    println!("cargo:rerun-if-changed=build.rs");

    let open = |name: &str| {
        File::open(format!("{IPADIC}/{name}")).unwrap_or_else(|e| panic!("{IPADIC}/{name}: {e}"))
    };
    let lexicon = zstd::Decoder::new(open("lex.csv.zst")).expect("the IPADIC lexicon decompresses");
    let matrix =
        zstd::Decoder::new(open("matrix.def.zst")).expect("the IPADIC matrix decompresses");
    let user = File::open(USER_LEXICON).unwrap_or_else(|e| panic!("{USER_LEXICON}: {e}"));
    let dictionary = vibrato::SystemDictionaryBuilder::from_readers(
        lexicon,
        matrix,
        open("char.def"),
        open("unk.def"),
    )
    .expect("IPADIC compiles")
    .reset_user_lexicon_from_reader(Some(user))
    .expect("ja_user.csv compiles");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("ipadic.dic.zst");
    let file = BufWriter::new(File::create(&out).expect("OUT_DIR is writable"));
    let mut encoder = zstd::Encoder::new(file, 3).expect("a zstd encoder");
    dictionary
        .write(&mut encoder)
        .expect("the dictionary is written");
    encoder
        .finish()
        .and_then(|mut f| f.flush())
        .expect("the dictionary is written");
}
