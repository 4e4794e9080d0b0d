//! Fuzz target: any input either fails to parse with an error whose position is inside the
//! query, or parses to an AST whose printed form parses back to the same AST; compiling and
//! matching a post never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tertulia_model::{Network, Post, PostKind};
use tertulia_query::{Query, parse, render_error};

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    match parse(q) {
        Err(e) => {
            assert!(e.pos() <= q.len());
            let _ = render_error(q, &e);
        }
        Ok(ast) => {
            let printed = ast.to_string();
            assert_eq!(parse(&printed).as_ref(), Ok(&ast), "{q:?} printed as {printed:?}");
            let mut post = Post::new(Network::X, "1", PostKind::Post);
            post.text = q.to_string();
            post.title = Some("niño 😡 #vuelo @iberia".into());
            let _ = Query::from_ast(ast).matches(&post);
        }
    }
});
