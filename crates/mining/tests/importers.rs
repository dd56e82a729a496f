//! Importer behaviour the issue specifies: columns, encodings, delimiters, bad rows, XES
//! attribute types and nesting, OCEL XML, and filter → export → import round trips.

use mining::analysis::{dfg, stats};
use mining::export::write_log;
use mining::filter::Filter;
use mining::import::{LoadOptions, OnError, load};
use mining::log::{AttrValue, EventLog};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn trace_names(log: &EventLog, c: usize) -> Vec<&str> {
    log.trace(c).iter().map(|&a| log.activity_name(a)).collect()
}

const CSV: &str = "case_id,activity,timestamp,resource\n\
c1,审批,2023-01-02 10:00:00,张三\n\
c2,a,2023-01-02T09:00:00Z,R1\n\
c1,登记,2023-01-02 09:00:00,李四\n\
c1,关闭,2023-01-02 10:00:00,\n";

#[test]
fn csv_recognises_columns_and_orders_by_time_keeping_file_order_for_ties() {
    let dir = tempfile::tempdir().unwrap();
    let log = load(
        &write(dir.path(), "l.csv", CSV.as_bytes()),
        &LoadOptions::default(),
    )
    .unwrap()
    .log;
    assert_eq!(log.num_cases(), 2);
    assert_eq!(trace_names(&log, 0), ["登记", "审批", "关闭"]);
    assert_eq!(log.resource_name(2), None);
    assert_eq!(stats(&log).resources, 3);
}

#[test]
fn csv_reads_gbk_bom_and_semicolons() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, bad) = encoding_rs::GBK.encode(CSV);
    assert!(!bad);
    let from_gbk = load(&write(dir.path(), "gbk.csv", &gbk), &LoadOptions::default())
        .unwrap()
        .log;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CSV.replace(',', ";").as_bytes());
    let from_bom = load(&write(dir.path(), "bom.csv", &bom), &LoadOptions::default())
        .unwrap()
        .log;
    let plain = load(
        &write(dir.path(), "plain.csv", CSV.as_bytes()),
        &LoadOptions::default(),
    )
    .unwrap()
    .log;
    assert_eq!(from_gbk, plain);
    assert_eq!(from_bom, plain);
    assert_eq!(from_gbk.activity_name(from_gbk.activity[0]), "登记");
}

#[test]
fn csv_column_flags_timezone_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.csv", b"Ticket|Step|When|Start\nT1|open|02.01.2023 08:00|02.01.2023 07:30\nT1|close|02.01.2023 09:00|\n");
    let opts = LoadOptions {
        columns: mining::import::CsvColumns {
            case: Some("Ticket".into()),
            activity: Some("Step".into()),
            timestamp: Some("When".into()),
            start_timestamp: Some("Start".into()),
            resource: None,
        },
        time: mining::time::TimeParser::new(Some("%d.%m.%Y %H:%M"), Some("Asia/Shanghai")).unwrap(),
        ..Default::default()
    };
    let log = load(&p, &opts).unwrap().log;
    // 08:00 in Shanghai is 00:00 UTC.
    assert_eq!(log.timestamp[0], 1_672_617_600_000);
    let starts = log.start_timestamp.as_ref().unwrap();
    assert_eq!(starts[0], 1_672_617_600_000 - 30 * 60_000);
    // No start value: the event starts when it completes.
    assert_eq!(starts[1], log.timestamp[1]);
}

#[test]
fn start_timestamps_survive_csv_and_xes_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s.csv",
        b"case_id,activity,timestamp,start\nc1,a,2023-01-02 08:00,2023-01-02 07:30\nc1,b,2023-01-02 09:00,2023-01-02 08:10\n",
    );
    let opts = LoadOptions {
        columns: mining::import::CsvColumns {
            start_timestamp: Some("start".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let log = load(&p, &opts).unwrap().log;
    let starts = log.start_timestamp.clone().unwrap();
    assert_eq!(starts[1] - starts[0], 40 * 60_000);
    for name in ["out.csv", "out.xes", "out.xes.gz"] {
        let out = dir.path().join(name);
        write_log(&log, &out).unwrap();
        // Read back with defaults: both formats name the column/attribute `start_timestamp`.
        let back = load(&out, &LoadOptions::default()).unwrap().log;
        assert_eq!(back.start_timestamp.as_ref(), Some(&starts), "{name}");
        assert_eq!(back.timestamp, log.timestamp, "{name}");
    }
}

#[test]
fn bad_rows_stop_with_line_or_are_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.csv",
        b"case_id,activity,timestamp\nc1,a,2023-01-01 10:00\nc1,b,not a time\nc1,,2023-01-01 11:00\nc1,c,2023-01-01 12:00\n",
    );
    let err = load(&p, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("bad.csv:3:") && err.contains("not a time"),
        "{err}"
    );
    let skip = LoadOptions {
        on_error: OnError::Skip,
        ..Default::default()
    };
    let loaded = load(&p, &skip).unwrap();
    assert_eq!(loaded.log.num_events(), 2);
    assert_eq!(loaded.skipped.skipped, 2);
    assert!(
        loaded.skipped.first[1].contains(":4: empty activity"),
        "{:?}",
        loaded.skipped.first
    );
}

const XES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <global scope="event"><string key="concept:name" value="x"/></global>
  <string key="meta" value="log-level"><string key="child" value="ignored"/></string>
  <trace>
    <event>
      <string key="concept:name" value="b &amp; c"/>
      <date key="time:timestamp" value="2023-01-01T10:00:00.000+01:00"/>
      <int key="n" value="7"/>
      <float key="cost" value="2.5"/>
      <boolean key="ok" value="true"/>
      <id key="uid" value="u-1"/>
      <list key="tags"><values><string key="t" value="1"/></values></list>
      <string key="lifecycle:transition" value="start"/>
      <container key="box"><string key="concept:name" value="NOT AN ACTIVITY"/></container>
    </event>
    <string key="concept:name" value="case-1"/>
    <date key="opened" value="2023-01-01T00:00:00Z"/>
    <event>
      <string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2023-01-01T08:00:00Z"/>
      <string key="org:resource" value="Ann"><string key="nested" value="skip me"/></string>
      <string key="lifecycle:transition" value="complete"/>
    </event>
  </trace>
</log>"#;

#[test]
fn xes_types_nesting_lifecycle_and_trace_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "l.xes", XES.as_bytes());
    let keep = LoadOptions {
        keep_attributes: true,
        ..Default::default()
    };
    let log = load(&p, &keep).unwrap().log;
    assert_eq!(log.case_id(0), "case-1");
    assert_eq!(trace_names(&log, 0), ["a", "b & c"]);
    assert_eq!(log.resource_name(0), Some("Ann"));
    let attrs = &log.event_attributes;
    let val = |name: &str| {
        attrs.value(
            attrs.columns.iter().position(|c| c.name == name).unwrap(),
            1,
        )
    };
    assert_eq!(val("n"), AttrValue::Int(7));
    assert_eq!(val("cost"), AttrValue::Float(2.5));
    assert_eq!(val("ok"), AttrValue::Bool(true));
    assert_eq!(attrs.display(val("uid")).as_deref(), Some("u-1"));
    assert!(attrs.column("tags").is_none() && attrs.column("box").is_none());
    let opened = log.case_attributes.column("opened").unwrap().values[0];
    assert_eq!(opened, AttrValue::Date(1_672_531_200_000));

    let complete = LoadOptions {
        lifecycle: mining::import::Lifecycle::Complete,
        ..Default::default()
    };
    assert_eq!(load(&p, &complete).unwrap().log.num_events(), 1);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, XES.as_bytes()).unwrap();
    let pgz = write(dir.path(), "l.xes.gz", &gz.finish().unwrap());
    assert_eq!(load(&pgz, &keep).unwrap().log, log);
}

#[test]
fn xes_event_without_timestamp_is_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "l.xes",
        b"<log><trace><string key=\"concept:name\" value=\"1\"/>\n<event><string key=\"concept:name\" value=\"a\"/></event></trace></log>",
    );
    let err = load(&p, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("l.xes:2:") && err.contains("time:timestamp"),
        "{err}"
    );
}

const OCEL_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log>
  <object-types><object-type name="order"><attributes/></object-type><object-type name="item"><attributes/></object-type></object-types>
  <event-types><event-type name="place"><attributes/></event-type></event-types>
  <objects>
    <object id="o1" type="order"><attributes/><objects><relationship object-id="i1" qualifier="has"/></objects></object>
    <object id="o2" type="order"><attributes/></object>
    <object id="i1" type="item"><attributes/></object>
  </objects>
  <events>
    <event id="e2" type="ship" time="2023-01-03T00:00:00Z"><attributes><attribute name="who">A &amp; B</attribute></attributes><objects><relationship object-id="o1" qualifier=""/><relationship object-id="i1" qualifier=""/></objects></event>
    <event id="e1" type="place" time="2023-01-01T00:00:00Z"><objects><relationship object-id="o1" qualifier=""/><relationship object-id="o2" qualifier=""/></objects></event>
    <event id="e3" type="pick" time="2023-01-02T00:00:00Z"><objects><relationship object-id="i1" qualifier=""/></objects></event>
  </events>
</log>"#;

#[test]
fn ocel_xml_flattens_on_the_chosen_object_type() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "l.xmlocel", OCEL_XML.as_bytes());
    let orders = LoadOptions {
        object_type: Some("order".into()),
        keep_attributes: true,
        ..Default::default()
    };
    let log = load(&p, &orders).unwrap().log;
    assert_eq!(log.num_cases(), 2);
    assert_eq!(trace_names(&log, 0), ["place", "ship"]);
    let who = log.event_attributes.column("who").unwrap().values[1];
    assert_eq!(log.event_attributes.display(who).as_deref(), Some("A & B"));
    let items = LoadOptions {
        object_type: Some("item".into()),
        ..Default::default()
    };
    assert_eq!(
        trace_names(&load(&p, &items).unwrap().log, 0),
        ["pick", "ship"]
    );
    let err = load(&p, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("--object-type") && err.contains("order"),
        "{err}"
    );
}

#[test]
fn filtered_logs_round_trip_through_csv_and_xes() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "l.xes", XES.as_bytes());
    let keep = LoadOptions {
        keep_attributes: true,
        ..Default::default()
    };
    let log = load(&src, &keep).unwrap().log;
    let filtered = Filter {
        drop_activities: vec!["nothing".into()],
        ..Default::default()
    }
    .apply(&log);
    for name in ["out.csv", "out.xes", "out.xes.gz"] {
        let out = dir.path().join(name);
        write_log(&filtered, &out).unwrap();
        let back = load(&out, &keep).unwrap().log;
        assert_eq!(dfg(&back), dfg(&log), "{name}");
        assert_eq!(back.timestamp, log.timestamp, "{name}");
        assert_eq!(back.case_id(0), "case-1", "{name}");
        let cost = back.event_attributes.column("cost").unwrap().values[1];
        assert_eq!(
            back.event_attributes.display(cost).as_deref(),
            Some("2.5"),
            "{name}"
        );
    }
}
