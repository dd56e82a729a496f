//! Reading real-shaped files and refusing hostile ones, with bounded memory.
use proptest::prelude::*;
use sheets::{Format, Limits, SheetError, read, write_csv, write_xlsx};
use std::io::{Cursor, Write};

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn gbk_corpus_reads_with_row_numbers() {
    let text = "工号;姓名;部门;入职日期\r\nE001;张三;运营部;2024-03-01\r\n\r\nE002;李四;客服部;2025-01-15\r\nE003;王五;\"财务;审计\";\r\n";
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let t = read(&bytes, &limits()).unwrap();
    assert_eq!((t.format, t.encoding), (Format::Csv, "gb18030"));
    assert_eq!(t.header, ["工号", "姓名", "部门", "入职日期"]);
    let numbers: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
    assert_eq!(
        numbers,
        [2, 4, 5],
        "the blank line 3 is skipped but counted"
    );
    assert_eq!(t.rows[2].cells, ["E003", "王五", "财务;审计", ""]);
    // GB18030-only characters (outside GBK) survive too.
    let (b, _, _) = encoding_rs::GB18030.encode("名\n𠀀\n");
    assert_eq!(read(&b, &limits()).unwrap().rows[0].cells, ["𠀀"]);
}

#[test]
fn xlsx_round_trip_neutralises_and_restores() {
    let header = ["工号", "姓名", "备注"];
    let rows = vec![
        vec!["E1", "张三", "=HYPERLINK(\"http://x\")"],
        vec!["E2", "Ann", "-5"],
    ];
    let bytes = write_xlsx("人员", &header, &rows).unwrap();
    // The stored cell text carries the apostrophe (what Excel would show as text).
    let t = read(&bytes, &limits()).unwrap();
    assert_eq!(t.format, Format::Xlsx);
    assert_eq!(t.header, header);
    assert_eq!(t.rows[0].number, 2);
    assert_eq!(t.rows[0].cells[2], "=HYPERLINK(\"http://x\")");
    assert_eq!(t.rows[1].cells, ["E2", "Ann", "-5"]);
    let raw = unzip_entry(&bytes, "xl/sharedStrings.xml")
        .or_else(|| unzip_entry(&bytes, "xl/worksheets/sheet1.xml"))
        .unwrap();
    assert!(
        raw.contains("&apos;=HYPERLINK") || raw.contains("'=HYPERLINK"),
        "{raw}"
    );
}

fn unzip_entry(bytes: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).ok()?;
    Some(s)
}

/// Rewrites one entry of an archive (to plant hostile content in a valid workbook).
fn replace_entry(bytes: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let n = f.name().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        out.start_file(n.as_str(), opts).unwrap();
        out.write_all(if n == name { content } else { &data })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn xxe_workbook_is_refused() {
    let ok = write_xlsx("s", &["a"], [["1"]]).unwrap();
    let evil = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>"#;
    let bytes = replace_entry(&ok, "xl/sharedStrings.xml", evil);
    match read(&bytes, &limits()) {
        Err(SheetError::Doctype { entry }) => assert_eq!(entry, "xl/sharedStrings.xml"),
        other => panic!("{other:?}"),
    }
    // The billion-laughs form, in lower case, split over a read boundary, is found as well.
    let mut laughs = vec![b' '; 64 * 1024 - 4];
    laughs.extend_from_slice(b"<!doctype lol [<!entity a \"aaaa\">]><x/>");
    let bytes = replace_entry(&ok, "xl/workbook.xml", &laughs);
    assert!(matches!(
        read(&bytes, &limits()),
        Err(SheetError::Doctype { .. })
    ));
}

#[test]
fn zip_bomb_is_refused_before_parsing() {
    let ok = write_xlsx("s", &["a"], [["1"]]).unwrap();
    // 40 MiB of zeros deflate to ~40 KiB: over both the total and the ratio limit.
    let limits = || Limits {
        max_uncompressed: 20 * 1024 * 1024,
        ..Limits::default()
    };
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut src = zip::ZipArchive::new(Cursor::new(&ok[..])).unwrap();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let n = f.name().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        z.start_file(n.as_str(), opts).unwrap();
        z.write_all(&data).unwrap();
    }
    z.start_file("xl/media/bomb.bin", opts).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..40 {
        z.write_all(&zeros).unwrap();
    }
    let bomb = z.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024);
    let err = read(&bomb, &limits()).unwrap_err();
    assert_eq!(err.code(), "zip_bomb", "{err}");
    // With generous limits on the total the ratio alone still refuses it.
    let loose = Limits {
        max_uncompressed: u64::MAX,
        ..Limits::default()
    };
    let err = read(&bomb, &loose).unwrap_err();
    assert!(err.to_string().contains(":1"), "{err}");
}

#[test]
fn limits_and_malformed_files() {
    let small = Limits {
        max_bytes: 100,
        max_rows: 2,
        max_columns: 3,
        max_cell_chars: 5,
        ..limits()
    };
    assert_eq!(
        read(&[b'a'; 101], &small),
        Err(SheetError::TooLarge { max_bytes: 100 })
    );
    assert_eq!(
        read(b"h\n1\n2\n3\n", &small),
        Err(SheetError::TooManyRows { max: 2 })
    );
    assert_eq!(
        read(b"a,b,c,d\n", &small),
        Err(SheetError::TooManyColumns { max: 3 })
    );
    assert_eq!(
        read(b"a\nabcdef\n", &small),
        Err(SheetError::CellTooLong {
            row: 2,
            column: 1,
            max: 5
        })
    );
    assert_eq!(read(b"\n , \n", &small), Err(SheetError::Empty));
    assert_eq!(
        read(b"\xd0\xcf\x11\xe0rest", &small),
        Err(SheetError::LegacyXls)
    );
    assert_eq!(
        read(b"PK\x03\x04garbage", &limits()).unwrap_err().code(),
        "malformed"
    );
    assert_eq!(
        read(b"a\n\xff\xfe\xff\n", &limits()).unwrap_err().code(),
        "encoding"
    );
    let err = read(b"a,b\n\"open,1\n", &limits());
    assert!(err.is_err() || err.unwrap().rows.len() == 1);
}

fn cell() -> impl Strategy<Value = String> {
    // Text with the characters CSV must quote, Chinese, and formula starts.
    proptest::string::string_regex("[a-z0-9 ,;\"\\n=+@张三工号-]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever cells are written, reading the CSV gives them back (trimmed, blank rows gone).
    #[test]
    fn csv_round_trip(rows in proptest::collection::vec(proptest::collection::vec(cell(), 3), 0..20)) {
        let header = ["h1", "h2", "h3"];
        let bytes = write_csv(&header, &rows);
        let t = read(&bytes, &limits()).unwrap();
        prop_assert_eq!(&t.header, &header);
        let want: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>())
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .collect();
        let got: Vec<Vec<String>> = t.rows.iter().map(|r| r.cells.clone()).collect();
        prop_assert_eq!(got, want);
    }
}

const SPEC: &[sheets::Column] = &[
    sheets::Column {
        key: "employee_no",
        required: true,
        names: &["工号", "员工编号", "employee no"],
    },
    sheets::Column {
        key: "email",
        required: false,
        names: &["邮箱", "e-mail"],
    },
];

/// A header as people type it: random case, full-width ASCII, stray spaces, a required mark.
fn disguise(name: &str, upper: Vec<bool>, wide: bool, star: bool) -> String {
    let mut s: String = name
        .chars()
        .zip(upper.into_iter().chain(std::iter::repeat(false)))
        .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
        .map(|c| {
            if wide && c.is_ascii_graphic() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else if wide && c == ' ' {
                '\u{3000}'
            } else {
                c
            }
        })
        .collect();
    s = format!("  {s} ");
    if star {
        s.push('*');
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn disguised_headers_map_to_their_column(
        col in 0usize..2,
        which in 0usize..3,
        upper in proptest::collection::vec(any::<bool>(), 12),
        wide in any::<bool>(),
        star in any::<bool>(),
    ) {
        let c = SPEC[col];
        let name = c.names[which % c.names.len()];
        let header = vec!["备注".to_string(), disguise(name, upper, wide, star)];
        let m = sheets::Mapping::auto(SPEC, &header);
        prop_assert_eq!(m.assigned.clone(), vec![None, Some(c.key)]);
        prop_assert_eq!(m.unmapped(&header), vec![(0, "备注")]);
    }
}
