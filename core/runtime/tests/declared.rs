//! Graph errors of components declared with `#[component]`, as the user wrote them: the service
//! types in their own spelling and the file:line of each attribute.

use std::sync::Arc;

use weft::prelude::*;

/// Sends mail; nothing in this test binary provides it.
trait Mailer: Send + Sync {}

const SIGNUP_LINE: u32 = line!() + 1;
#[component(name = "signup", requires = [dyn Mailer])]
struct Signup {
    #[allow(dead_code, reason = "injected; the test only checks the graph")]
    mailer: Arc<dyn Mailer>,
}

const AUDIT_FILE_LINE: u32 = line!() + 1;
#[component(name = "audit")]
#[derive(Default)]
struct FileAudit;

const AUDIT_DB_LINE: u32 = line!() + 1;
#[component(name = "audit")]
#[derive(Default)]
struct DatabaseAudit;

#[test]
fn messages_cite_the_declarations_as_written() {
    let error = Builder::new().validate().expect_err("a missing provider and a duplicate name");
    let file = file!();
    // Declarations of one name are listed by file, then line.
    let first = format!("`FileAudit` at {file}:{AUDIT_FILE_LINE}");
    let second = format!("`DatabaseAudit` at {file}:{AUDIT_DB_LINE}");
    assert_eq!(
        error.to_string(),
        format!(
            "the component graph has 2 problems:\n  \
             - duplicate component name `audit`: declared by {first} and {second}; give each \
             component a unique `name`\n  \
             - missing provider: `signup` ({file}:{SIGNUP_LINE}) requires `dyn Mailer`, which no \
             component provides; declare a component with `provides = dyn Mailer`, or name the \
             crate that declares one in `weft::platform!(...)` so that it is linked"
        )
    );
}
