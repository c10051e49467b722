//! `embed!` rebuilds the crate when an embedded file is edited; a file that is
//! added or removed is noticed through this line.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
