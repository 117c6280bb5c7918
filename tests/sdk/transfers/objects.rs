//! Objects to and from memory, readers and writers (`put_object`, `get_object`,
//! `upload_reader`, `download_to_writer`): the exact requests against a mock server, the
//! edges against a scripted one, and round trips through the emulator; compiled for
//! both clients.

crate::support::for_each_client!("../cases/objects.rs");

/// The blocking `upload_reader`s take a borrowed reader (`&mut file`, `&data[..]`):
/// nothing is spawned, so nothing needs `'static`. That this compiles is the test; the
/// round trip shows the borrows are read and then given back. (The async ones take an
/// owned reader: their futures, and the HTTP crate's body stream, are `'static`.)
#[cfg(feature = "blocking")]
#[test]
fn blocking_upload_reader_takes_a_borrowed_reader() {
    use podstack::{Error, NewBucket};
    use std::io::{Seek, Write};

    let emulator = podstack_emulator::Emulator::start();
    let client = blocking::emulator_client(&emulator);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("borrowed")).unwrap().id;

    let data = b"a borrowed slice".to_vec();
    buckets
        .upload_reader(&bucket, "slice.txt", &data[..], Some(data.len() as u64))
        .unwrap();

    let dir = std::env::temp_dir().join(format!(
        "podstack-borrowed-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut file = std::fs::File::options()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(dir.join("data.txt"))
        .unwrap();
    file.write_all(b"a borrowed file").unwrap();
    file.rewind().unwrap();
    buckets
        .upload_reader(&bucket, "file.txt", &mut file, None)
        .unwrap();
    // The borrow ended with the call: the file is ours again, read to its end.
    assert_eq!(file.stream_position().unwrap(), 15);
    file.rewind().unwrap();
    let mut cursor = std::io::Cursor::new(b"a borrowed cursor".to_vec());
    buckets
        .upload_reader(&bucket, "cursor.txt", &mut cursor, Some(17))
        .unwrap();
    assert_eq!(cursor.position(), 17);

    for (key, content) in [
        ("slice.txt", &b"a borrowed slice"[..]),
        ("file.txt", b"a borrowed file"),
        ("cursor.txt", b"a borrowed cursor"),
    ] {
        assert_eq!(&buckets.get_object(&bucket, key).unwrap()[..], content);
    }
    // The presigned upload takes one too (a bad URL: refused before sending).
    let error = client
        .presigned()
        .upload_reader("not a url", &mut file, None)
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
