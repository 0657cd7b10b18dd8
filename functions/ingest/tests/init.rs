//! The `ingest` bootstrap's init: configuration comes from the environment and a missing
//! variable stops the process before it asks Lambda for an event, naming the variable.

use std::process::Command;

/// Runs the bootstrap with only `vars` set and returns its exit status and stderr.
fn run_with(vars: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ingest"))
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("the ingest bootstrap runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_missing_region_or_key_stops_init_and_names_the_variable() {
    let (ok, stderr) = run_with(&[("TABLE_NAME", "jobfeed")]);
    assert!(!ok);
    assert!(stderr.contains("AWS_REGION"), "{stderr}");

    let (ok, stderr) = run_with(&[("TABLE_NAME", "jobfeed"), ("AWS_REGION", "us-east-1")]);
    assert!(!ok);
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");

    let (ok, stderr) = run_with(&[
        ("TABLE_NAME", "jobfeed"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ]);
    assert!(!ok);
    assert!(stderr.contains("AWS_SECRET_ACCESS_KEY"), "{stderr}");
    // The key's value never reaches the log.
    assert!(!stderr.contains("AKIDEXAMPLE"), "{stderr}");
}

#[test]
fn with_its_configuration_set_init_goes_on_to_ask_lambda_for_an_event() {
    use std::io::Read;
    // A stand-in for the Runtime API that only records the first request line.
    let runtime = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
    let address = runtime.local_addr().expect("its address").to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ingest"))
        .env_clear()
        .envs([
            ("TABLE_NAME", "jobfeed"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_LAMBDA_RUNTIME_API", address.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "ingest"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "test"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "test"),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the ingest bootstrap starts");
    // Poll, so a bootstrap that exits during init fails the test instead of hanging it.
    runtime
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut connection = loop {
        match runtime.accept() {
            Ok((connection, _)) => break connection,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(status) = child.try_wait().expect("the child's status") {
                    panic!("the bootstrap exited during init: {status}");
                }
                assert!(std::time::Instant::now() < deadline, "no request in 30 s");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    connection
        .set_nonblocking(false)
        .expect("a blocking connection");
    connection
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("a read timeout");
    let mut request = [0u8; 64];
    let read = connection.read(&mut request).expect("a request");
    let _ = child.kill();
    let _ = child.wait();
    let request = String::from_utf8_lossy(&request[..read]);
    assert!(
        request.starts_with("GET /2018-06-01/runtime/invocation/next"),
        "{request}"
    );
}
