//! Serving the Explorer: the address (checked before stateright binds it, since its `serve`
//! unwraps the bind), the URL of a path, and the server kept up. stateright's `serve` blocks
//! for as long as its one request thread runs, and that thread unwraps every response it
//! writes: a browser that drops a connection early ends it, so it is started again.

use std::net::{SocketAddr, TcpListener};
use std::thread;

use stateright::Model;

use super::ExploreModel;

/// The address when none is given: stateright's examples use port 3000.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:3000";

/// Parses `IP:PORT`; a host name is refused, since what it resolves to is not shown.
pub fn parse_address(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .map_err(|_| format!("`{text}` is not an address: give IP:PORT, such as {DEFAULT_ADDRESS}"))
}

/// The warning for an address other than the loopback's, which anyone who reaches it may
/// use: the Explorer has no authentication.
pub fn warning(address: SocketAddr) -> Option<String> {
    (!address.ip().is_loopback()).then(|| {
        format!(
            "warning: serving on {address}, which is not the loopback: the Explorer has no \
             authentication, anyone who reaches this address can use it"
        )
    })
}

/// Binds `address` once to learn whether it is free, and which port a `0` stands for.
/// Another program may take the port between this and the Explorer's own bind; then the
/// Explorer's bind fails and [`run`] says so.
pub fn reserve(address: SocketAddr) -> Result<SocketAddr, String> {
    let listener =
        TcpListener::bind(address).map_err(|e| format!("cannot listen on {address}: {e}"))?;
    listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {address}: {e}"))
}

/// The page's URL, open at `path` (action indices, the initial state's first) when given.
pub fn url(address: SocketAddr, path: Option<&[usize]>) -> String {
    let mut url = format!("http://{address}/");
    if let Some(path) = path {
        url.push_str("#/steps");
        for index in path {
            url.push_str(&format!("/{index}"));
        }
    }
    url
}

/// Serves the Explorer on `address` until the process ends. Returns only if the server
/// cannot be started again (the address is taken meanwhile).
pub fn run(model: ExploreModel, address: SocketAddr) -> String {
    loop {
        let served = model.clone();
        let thread = thread::Builder::new()
            .name("explorer".to_string())
            .spawn(move || {
                served.checker().serve(address);
            });
        let ended = match thread {
            Ok(handle) => handle.join(),
            Err(e) => return format!("cannot start the Explorer: {e}"),
        };
        if ended.is_ok() {
            return "the Explorer stopped".to_string();
        }
        // The panic was printed; serve again if the address can still be had.
        if let Err(why) = reserve(address) {
            return why;
        }
        eprintln!("note: the Explorer's server stopped (see above); serving again on {address}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_loopback_goes_unwarned() {
        for quiet in ["127.0.0.1:3000", "[::1]:3000"] {
            assert_eq!(warning(parse_address(quiet).unwrap()), None, "{quiet}");
        }
        let open = warning(parse_address("0.0.0.0:3000").unwrap()).unwrap();
        assert!(open.contains("no authentication"), "{open}");
        assert!(parse_address("localhost:3000").is_err());
    }

    #[test]
    fn a_path_is_the_explorers_hash() {
        let address = parse_address("127.0.0.1:3000").unwrap();
        assert_eq!(url(address, None), "http://127.0.0.1:3000/");
        assert_eq!(
            url(address, Some(&[0, 4, 2])),
            "http://127.0.0.1:3000/#/steps/0/4/2"
        );
    }
}
