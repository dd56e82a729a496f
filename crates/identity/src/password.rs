//! Argon2id password hashing with the OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! These are CPU- and memory-heavy on purpose: call them from `tokio::task::spawn_blocking`
//! (the service does), never directly on an async worker.
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use kernel::AppError;
use std::sync::OnceLock;

pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (exactly as given, no trimming or truncation) into a PHC string
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Verifies a password against a stored PHC string. A malformed hash never verifies.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the same work as a real verification against a hash of a random password, so a sign-in
/// with an unknown username takes as long as one with a wrong password. Always `false`.
pub fn dummy_verify(password: &str) -> bool {
    let _ = verify_password(password, dummy_hash());
    false
}

/// Computes the dummy hash ahead of time (call at start-up so the first unknown-user sign-in
/// is not slower than the rest).
pub fn warm_up() {
    let _ = dummy_hash();
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&db::random_hex(16)).expect("hashing a random password works")
    })
}

/// True when a stored hash uses weaker parameters than today's (for rehash on sign-in).
pub fn needs_rehash(phc: &str) -> bool {
    !phc.starts_with(&format!(
        "$argon2id$v=19$m={M_COST_KIB},t={T_COST},p={P_COST}$"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_with_owasp_parameters_and_exact_verification() {
        let h = hash_password("Correct horse 电池 staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(!needs_rehash(&h));
        assert!(verify_password("Correct horse 电池 staple", &h));
        // No trimming, no case folding, no truncation.
        assert!(!verify_password("Correct horse 电池 staple ", &h));
        assert!(!verify_password("correct horse 电池 staple", &h));
        assert!(!verify_password("Correct horse 电池 stapl", &h));
        // Salted: the same password hashes differently each time.
        assert_ne!(h, hash_password("Correct horse 电池 staple").unwrap());
        assert!(!verify_password("x", "not a phc string"));
        assert!(!dummy_verify("anything"));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let a = format!("{}A", "k".repeat(255));
        let b = format!("{}B", "k".repeat(255));
        let h = hash_password(&a).unwrap();
        assert!(verify_password(&a, &h));
        assert!(
            !verify_password(&b, &h),
            "a difference in the 256th character counts"
        );
    }
}
