//! One connection to a real server: TCP (plain, implicit TLS or STARTTLS via rustls), a
//! timeout on every read and write, and framing of server lines with their literals (RFC 3501
//! section 4.3) under a size cap. Knows nothing of what the lines mean.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// How the connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    Plain,
    /// TLS from the first byte (RFC 8314 section 3.2).
    Tls,
    /// Plain, then `STARTTLS` after the greeting (RFC 3501 section 6.2.1).
    StartTls,
}

/// Where and how to connect.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub server: String,
    pub security: Security,
    /// Accept any certificate (a self-signed test server).
    pub insecure: bool,
    pub timeout: Duration,
    /// The largest literal the probe accepts, in bytes.
    pub literal_max: usize,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn io(&mut self) -> &mut dyn ReadWrite {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.as_mut(),
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// A connection: buffered reads, one framed server response at a time.
pub struct Conn {
    stream: Option<Stream>,
    buffer: Vec<u8>,
    endpoint: Endpoint,
    /// When the response being read must be complete: a server that trickles bytes must
    /// not keep the probe forever (each read also has the timeout).
    deadline: Option<Instant>,
}

impl Conn {
    /// Opens the TCP connection (and the TLS session for [`Security::Tls`]).
    pub fn connect(endpoint: &Endpoint) -> Result<Conn, String> {
        let addrs: Vec<_> = endpoint
            .server
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve `{}`: {e}", endpoint.server))?
            .collect();
        let addr = addrs
            .first()
            .ok_or_else(|| format!("`{}` resolves to no address", endpoint.server))?;
        let tcp = TcpStream::connect_timeout(addr, endpoint.timeout)
            .map_err(|e| format!("cannot connect to {}: {e}", endpoint.server))?;
        tcp.set_read_timeout(Some(endpoint.timeout))
            .and_then(|_| tcp.set_write_timeout(Some(endpoint.timeout)))
            .map_err(|e| format!("cannot set timeouts: {e}"))?;
        let mut conn = Conn {
            stream: Some(Stream::Plain(tcp)),
            buffer: Vec::new(),
            endpoint: endpoint.clone(),
            deadline: None,
        };
        if endpoint.security == Security::Tls {
            conn.start_tls()?;
        }
        Ok(conn)
    }

    /// Wraps the TCP stream in TLS (at connect, or after a STARTTLS's OK). Bytes already
    /// buffered would be a plaintext injection (RFC 3501 section 6.2.1): refused.
    pub fn start_tls(&mut self) -> Result<(), String> {
        if !self.buffer.is_empty() {
            return Err(
                "the server sent data after STARTTLS's OK, before the TLS handshake".into(),
            );
        }
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            return Err("TLS is already on".into());
        };
        let config = tls_config(self.endpoint.insecure)?;
        let host = self
            .endpoint
            .server
            .rsplit_once(':')
            .map_or(self.endpoint.server.as_str(), |(h, _)| h)
            .trim_matches(['[', ']']);
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| format!("`{host}` is not a TLS server name: {e}"))?;
        let session = ClientConnection::new(Arc::new(config), name)
            .map_err(|e| format!("TLS setup failed: {e}"))?;
        let mut tls = StreamOwned::new(session, tcp);
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(|e| format!("TLS handshake with {} failed: {e}", self.endpoint.server))?;
        }
        self.stream = Some(Stream::Tls(Box::new(tls)));
        Ok(())
    }

    /// Sends raw bytes (a command line with its CRLF, or a literal's data).
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        let stream = self.stream.as_mut().ok_or("the connection is closed")?;
        let io = stream.io();
        io.write_all(bytes)
            .and_then(|_| io.flush())
            .map_err(|e| io_error("send", &e, self.endpoint.timeout))
    }

    /// One whole server response: a line, and for each literal it announces (`{n}` at its
    /// end) the literal's bytes and the line's continuation. Errors name what went wrong: a
    /// closed connection, a timeout, or a literal above the cap.
    pub fn read_response(&mut self) -> Result<Vec<u8>, String> {
        self.deadline = Some(Instant::now() + self.endpoint.timeout);
        let mut response = Vec::new();
        loop {
            let line = self.read_line()?;
            let literal = literal_size(&line);
            response.extend_from_slice(&line);
            let Some(size) = literal else {
                return Ok(response);
            };
            let size = size.map_err(|()| {
                format!("a literal size that is not a number in `{}`", shown(&line))
            })?;
            if size > self.endpoint.literal_max {
                return Err(format!(
                    "a literal of {size} bytes, above the limit of {} bytes, in `{}`",
                    self.endpoint.literal_max,
                    shown(&line)
                ));
            }
            while self.buffer.len() < size {
                self.fill()?;
            }
            response.extend(self.buffer.drain(..size));
        }
    }

    /// One whole response if the server begins one within `window`, `None` if it sends
    /// nothing in that time: what an idling client waits for (RFC 9051 section 6.3.13). Once
    /// a response has begun, the rest must come within the usual timeout.
    pub fn read_response_within(&mut self, window: Duration) -> Result<Option<Vec<u8>>, String> {
        let until = Instant::now() + window;
        while self.buffer.is_empty() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            // A zero read timeout is refused by the OS: wait at least a millisecond.
            self.set_read_timeout(left.max(Duration::from_millis(1)))?;
            let read = self.fill_within();
            self.set_read_timeout(self.endpoint.timeout)?;
            if !read? {
                continue;
            }
        }
        self.read_response().map(Some)
    }

    fn set_read_timeout(&mut self, timeout: Duration) -> Result<(), String> {
        let tcp = match self.stream.as_ref().ok_or("the connection is closed")? {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        };
        tcp.set_read_timeout(Some(timeout))
            .map_err(|e| format!("cannot set the read timeout: {e}"))
    }

    /// One read into the buffer: false if the read timed out with nothing.
    fn fill_within(&mut self) -> Result<bool, String> {
        let stream = self.stream.as_mut().ok_or("the connection is closed")?;
        let mut chunk = [0u8; 16384];
        match stream.io().read(&mut chunk) {
            Ok(0) => {
                self.stream = None;
                Err("the server closed the connection".into())
            }
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(io_error("read", &e, self.endpoint.timeout)),
        }
    }

    /// Reads up to and including the next CRLF; a line longer than the literal cap is
    /// refused (a server that never ends its line must not exhaust memory).
    fn read_line(&mut self) -> Result<Vec<u8>, String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\r\n") {
                return Ok(self.buffer.drain(..end + 2).collect());
            }
            if self.buffer.len() > self.endpoint.literal_max {
                return Err(format!(
                    "a line longer than {} bytes without CRLF, starting `{}`",
                    self.endpoint.literal_max,
                    shown(&self.buffer[..80.min(self.buffer.len())])
                ));
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<(), String> {
        let timeout = self.endpoint.timeout;
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(format!(
                "no whole response within {} s (timeout)",
                timeout.as_secs_f64()
            ));
        }
        match self.fill_within()? {
            true => Ok(()),
            false => Err(format!(
                "no answer within {} s (timeout on read)",
                timeout.as_secs_f64()
            )),
        }
    }

    /// Closes the socket without LOGOUT (the model's dropped connection).
    pub fn drop_connection(&mut self) {
        if let Some(Stream::Plain(s)) = &self.stream {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        if let Some(Stream::Tls(s)) = &self.stream {
            let _ = s.sock.shutdown(std::net::Shutdown::Both);
        }
        self.stream = None;
    }
}

fn io_error(what: &str, e: &io::Error, timeout: Duration) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            format!(
                "no answer within {} s (timeout on {what})",
                timeout.as_secs_f64()
            )
        }
        _ => format!("{what} failed: {e}"),
    }
}

/// The size a line's trailing `{n}` or `{n+}` announces: None without one, Err with its
/// text if it is not a number.
fn literal_size(line: &[u8]) -> Option<Result<usize, ()>> {
    let body = line.strip_suffix(b"\r\n")?;
    let body = body.strip_suffix(b"}")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Some(Err(()));
    }
    Some(
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or(()),
    )
}

/// A server line as text, as a transcript shows it: the CRLF off, control characters
/// (those inside literals, or garbage) escaped.
pub fn text(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out = String::new();
    for c in text.trim_end_matches("\r\n").chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A server line for an error message: as [`text`], cut at 200 characters.
pub fn shown(line: &[u8]) -> String {
    let full = text(line);
    if full.chars().count() > 200 {
        let cut: String = full.chars().take(200).collect();
        return format!("{cut}...");
    }
    full
}

fn tls_config(insecure: bool) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    if insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(insecure::AcceptAny(provider)))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        return Err(
            "no trusted root certificates found on this system (use --insecure for a test server)"
                .into(),
        );
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

mod insecure {
    //! `--insecure`: a verifier that accepts any certificate but still checks the handshake
    //! signatures, for a self-signed test server on loopback.
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, Error, SignatureScheme};

    #[derive(Debug)]
    pub struct AcceptAny(pub Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
