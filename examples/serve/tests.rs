//! Unit tests of the pieces that need no server.

use crate::auth::{TokenSource, parse_token};
use crate::retention::{Candidate, choose};
use crate::store::{is_job_id, is_plain_file_name, new_job_id};

#[test]
fn job_ids_are_random_and_checked() {
    let (a, b) = (new_job_id(), new_job_id());
    assert!(is_job_id(&a) && is_job_id(&b));
    assert_ne!(a, b);
    for bad in [
        "",
        "..",
        "../x",
        &a[..31],
        &a.to_uppercase(),
        &format!("{}/", &a[..31]),
    ] {
        assert!(!is_job_id(bad), "{bad:?}");
    }
}

#[test]
fn file_names_are_plain() {
    for good in ["alignments.tsv", "report.html", "a-b_c+d.faa"] {
        assert!(is_plain_file_name(good), "{good}");
    }
    for bad in [
        "",
        ".",
        "..",
        "../job.json",
        "a/b",
        ".hidden",
        "a\\b",
        "a b",
        "x\0",
    ] {
        assert!(!is_plain_file_name(bad), "{bad:?}");
    }
}

#[test]
fn tokens_are_trimmed_and_not_empty() {
    assert_eq!(parse_token("s3cret\n", "f").unwrap(), "s3cret");
    assert!(parse_token(" \n", "f").unwrap_err().contains("empty"));
    assert!(parse_token("two words", "f").is_err());
}

#[test]
fn token_file_is_compared_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "first\n").unwrap();
    let source = TokenSource::configure(Some(path.clone())).unwrap();
    assert!(source.is_configured());
    assert!(source.allows(Some(b"Bearer first")));
    assert!(!source.allows(Some(b"Bearer firs")));
    assert!(!source.allows(Some(b"Bearer firstx")));
    assert!(!source.allows(Some(b"first")));
    assert!(!source.allows(None));
    std::fs::write(&path, "second").unwrap();
    assert!(source.reload().unwrap());
    assert!(!source.allows(Some(b"Bearer first")));
    assert!(source.allows(Some(b"Bearer second")));
    // A file gone empty keeps the token in use.
    std::fs::write(&path, "").unwrap();
    assert!(source.reload().is_err());
    assert!(source.allows(Some(b"Bearer second")));
}

fn candidate(id: &str, finished_ms: u64, bytes: u64) -> Candidate {
    Candidate {
        id: id.into(),
        finished_ms,
        bytes,
    }
}

#[test]
fn retention_removes_expired_then_oldest_over_budget() {
    let jobs = vec![
        candidate("new", 300, 10),
        candidate("old", 100, 10),
        candidate("mid", 200, 10),
    ];
    // Nothing expired, no budget: nothing removed.
    assert!(choose(jobs.clone(), 30, 50, None).is_empty());
    // Finished at the cutoff itself (--keep-days 0, same millisecond): removed.
    assert_eq!(choose(jobs.clone(), 30, 100, None), ["old"]);
    // Expired before 150: only "old".
    assert_eq!(choose(jobs.clone(), 30, 150, None), ["old"]);
    // 45 bytes in all (15 of them unfinished jobs'), budget 25: the two oldest go.
    assert_eq!(choose(jobs.clone(), 45, 0, Some(25)), ["old", "mid"]);
    // A budget the unfinished jobs alone exceed removes every finished one, never more.
    assert_eq!(choose(jobs, 100, 0, Some(5)), ["old", "mid", "new"]);
}
