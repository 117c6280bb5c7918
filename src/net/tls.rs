//! The extra root certificates a client trusts: the PEM given to
//! `add_root_certificate`, checked once at `build`.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::Error;

/// PEM blobs added with `add_root_certificate`.
#[derive(Clone, Default)]
pub(crate) struct RootPems(pub Vec<Vec<u8>>);

impl std::fmt::Debug for RootPems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} extra root certificate(s)", self.0.len())
    }
}

/// The certificates in one PEM blob: at least one, else a config error.
pub(crate) fn parse_pem(pem: &[u8], which: usize) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::config(format!(
                "root certificate {which} given to add_root_certificate is not valid PEM: {e}"
            ))
        })?;
    if certificates.is_empty() {
        return Err(Error::config(format!(
            "root certificate {which} given to add_root_certificate holds no \
             \"-----BEGIN CERTIFICATE-----\" block"
        )));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_a_certificate_is_a_config_error() {
        for pem in [
            &b"not pem"[..],
            b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        ] {
            let error = parse_pem(pem, 1).unwrap_err();
            assert!(matches!(error, Error::Config { .. }), "{error}");
            assert!(
                error.to_string().contains("add_root_certificate"),
                "{error}"
            );
        }
    }
}
