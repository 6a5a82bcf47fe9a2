#!/usr/bin/env python3
"""Compile cost of `#[component]`: generates two crates of N components each and times their builds.

- `gen-macro` declares every component with `#[weft::component(...)]`.
- `gen-hand` declares the same structs and registers them with the code the macro emits, written
  out by hand (`inventory::submit!` of `weft::__private::Registration`, the constructor, the
  hook probe and the `provides` checks).

Everything generated goes to `benches/compile-cost/gen/` (gitignored), with its own
CARGO_TARGET_DIR, so that the worktree's `target/` is untouched. weft itself is taken from a
`git archive` of HEAD, so that editing the worktree during a run does not rebuild it.

Usage: benches/compile-cost/run.py [--components 1000] [--runs 3]
Prints a Markdown table of medians (and every sample) on stdout.
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GEN = HERE / "gen"
MODULES = 10


def component_plan(count, seed=5):
    """For each component, the earlier components whose services it requires (0 to 3)."""
    rng = random.Random(seed)
    plan = []
    for i in range(count):
        k = rng.randint(0, min(3, i))
        plan.append(sorted(rng.sample(range(i), k)) if k else [])
    return plan


def struct_item(i, deps):
    fields = "".join(f"    s{d}: Arc<dyn Svc{d}>,\n" for d in deps)
    body = f" {{\n{fields}}}" if deps else " {}"
    return f"pub struct C{i}{body}\n"


def service_items(i, deps, mark=0):
    used = " + ".join(f"self.s{d}.id()" for d in deps) or "0"
    return (
        f"pub trait Svc{i}: Send + Sync {{\n    fn id(&self) -> usize;\n}}\n"
        f"impl Svc{i} for C{i} {{\n    fn id(&self) -> usize {{\n        {i} + {mark} + {used}\n    }}\n}}\n"
    )


def macro_component(i, deps, mark=0):
    requires = ", ".join(f"dyn Svc{d}" for d in deps)
    requires = f", requires = [{requires}]" if deps else ""
    attr = f'#[weft::component(name = "c{i}", provides = dyn Svc{i}{requires})]\n'
    return service_items(i, deps, mark) + attr + struct_item(i, deps) + "\n"


def hand_component(i, deps, mark=0):
    """What `#[component]` expands to for this struct (macros/src/expand.rs), written out."""
    checks = []
    for d in deps:
        checks.append(
            f"{{ let __weft_outcome = (&__weft_p::Probe::<dyn Svc{d}>::new()).__weft_service();\n"
            f"        __weft_p::assert_service::<dyn Svc{d}>(__weft_outcome.__weft_at()); }}"
        )
    services = "__weft_p::Yes"
    for d in deps:
        services = f"__weft_p::and({services}, (&__weft_p::Probe::<dyn Svc{d}>::new()).__weft_service())"
    checks.append(f"__weft_p::assert_component::<C{i}, _>({services});")
    checks.append(
        f"{{ let __weft_outcome = (&__weft_p::Probe::<dyn Svc{i}>::new()).__weft_service();\n"
        f"        __weft_p::assert_service::<dyn Svc{i}>(__weft_outcome.__weft_at()); }}"
    )
    for n, d in enumerate(deps):
        checks.append(
            f"{{ let __weft_outcome = (&__weft_p::Pair::<dyn Svc{d}, dyn Svc{i}>::new()).__weft_same();\n"
            f"        __weft_p::assert_not_own_service::<dyn Svc{d}>(__weft_outcome.__weft_at()); }}"
        )
        for e in deps[:n]:
            checks.append(
                f"{{ let __weft_outcome = (&__weft_p::Pair::<dyn Svc{d}, dyn Svc{e}>::new()).__weft_same();\n"
                f"        __weft_p::assert_distinct_entry::<dyn Svc{d}>(__weft_outcome.__weft_at()); }}"
            )
        # Stored once: one field spelled alike and no other field, so the macro emits nothing.
    if deps:
        checks.append(
            f"__weft_p::assert_no_own_default::<C{i}>((&__weft_p::Probe::<C{i}>::new()).__weft_has_default());"
        )
    checks.append(
        f"let __weft_lifecycle = (&__weft_p::Probe::<C{i}>::new()).__weft_lifecycle();\n"
        f"        __weft_p::assert_init_hook::<C{i}, _>((__weft_lifecycle, __weft_component.init()));\n"
        f"        __weft_p::assert_start_hook::<C{i}, _>((__weft_lifecycle, (&*__weft_component).start()));\n"
        f"        __weft_p::assert_stop_hook::<C{i}, _>((__weft_lifecycle, (&*__weft_component).stop()));"
    )
    checks = "\n        ".join(checks)
    if deps:
        inject = "".join(
            f'            s{d}: __weft_injector.get::<dyn Svc{d}>("dyn Svc{d}")?,\n' for d in deps
        )
        construct = f"C{i} {{\n{inject}        }}"
    else:
        construct = (
            f"(&__weft_p::Probe::<C{i}>::new())"
            f".__weft_construct(|| {{ ::core::result::Result::Ok(C{i} {{}}) }})?"
        )
    requires = ", ".join(f'__weft_p::ServiceKey::of::<dyn Svc{d}>("dyn Svc{d}")' for d in deps)
    return (
        service_items(i, deps, mark)
        + struct_item(i, deps)
        + f"""const _: () = {{
    use ::weft::__private as __weft_p;
    use __weft_p::probe::*;

    #[allow(dead_code, unused_variables, reason = "compile-time checks, never called")]
    fn __weft_check(__weft_component: &mut C{i}) {{
        {checks}
    }}

    fn __weft_build(
        __weft_injector: &__weft_p::Injector<'_>,
    ) -> ::core::result::Result<__weft_p::Erased, __weft_p::InjectError> {{
        let __weft_component = {construct};
        let __weft_hooks = (&__weft_p::HookProbe::<C{i}>::new()).hooks();
        ::core::result::Result::Ok((&__weft_p::Probe::<C{i}>::new()).__weft_erase(
            __weft_component,
            __weft_hooks,
            __weft_p::Provide::from({{
                fn __weft_check_provides() {{
                    {{
                        trait __WeftImplements {{
                            fn __weft_check(&self) -> __weft_p::Implemented {{
                                __weft_p::Implemented
                            }}
                        }}
                        impl<__WeftC: ?::core::marker::Sized + Svc{i}> __WeftImplements
                            for __weft_p::Probe<__WeftC> {{}}
                        trait __WeftMissing {{
                            fn __weft_check(&self) -> __weft_p::NotImplemented {{
                                __weft_p::NotImplemented
                            }}
                        }}
                        impl<__WeftC: ?::core::marker::Sized> __WeftMissing for &__weft_p::Probe<__WeftC> {{}}
                        __weft_p::assert_provides::<C{i}, dyn Svc{i}>(
                            (&__weft_p::Probe::<C{i}>::new()).__weft_check(),
                        );
                    }}
                }}
                {{
                    trait __WeftProvides<__WeftC> {{
                        fn __weft_provide(&self) -> __weft_p::ProvideFn<__WeftC>;
                    }}
                    impl<__WeftC: Svc{i} + ::core::marker::Send + ::core::marker::Sync + 'static>
                        __WeftProvides<__WeftC> for __weft_p::Probe<__WeftC>
                    {{
                        fn __weft_provide(&self) -> __weft_p::ProvideFn<__WeftC> {{
                            ::core::option::Option::Some(|component| __weft_p::Service::of_dyn::<
                                __WeftC,
                                dyn Svc{i},
                                dyn Svc{i} + ::core::marker::Send + ::core::marker::Sync,
                                dyn Svc{i} + ::core::marker::Send,
                                dyn Svc{i} + ::core::marker::Sync,
                            >(component, |c| c, |c| c, |c| c, |c| c))
                        }}
                    }}
                    (&__weft_p::Probe::<C{i}>::new()).__weft_provide()
                }}
            }}),
        ))
    }}

    const __WEFT_REGISTRATION: __weft_p::Registration = __weft_p::Registration {{
        name: "c{i}",
        type_name: "C{i}",
        module_path: ::core::module_path!(),
        file: ::core::file!(),
        line: ::core::line!(),
        provides: ::core::option::Option::Some(__weft_p::ServiceKey::of::<dyn Svc{i}>("dyn Svc{i}")),
        requires: &[{requires}],
        build: __weft_build,
    }};

    impl ::weft::Declared for C{i} {{
        fn registration() -> &'static __weft_p::Registration {{
            &__WEFT_REGISTRATION
        }}
    }}

    __weft_p::inventory::submit! {{ __WEFT_REGISTRATION }}
}};

"""
    )


def module_source(kind, plan, module, mark=0, marked=None):
    per = len(plan) // MODULES
    # The macro's expansion imports every probe trait, used or not (rustc does not lint unused
    # imports in macro output); written out by hand they would warn, and rendering thousands of
    # warnings would be counted against the hand-written version.
    lines = ["#![allow(missing_docs, unused_imports, reason = \"generated\")]\n"]
    start, end = module * per, (module + 1) * per if module < MODULES - 1 else len(plan)
    imports = {d for i in range(start, end) for d in plan[i] if not start <= d < end}
    lines.append("use std::sync::Arc;\n")
    for d in sorted(imports):
        lines.append(f"use crate::m{d // per if d // per < MODULES else MODULES - 1}::Svc{d};\n")
    lines.append("\n")
    emit = macro_component if kind == "macro" else hand_component
    for i in range(start, end):
        lines.append(emit(i, plan[i], mark if i == marked else 0))
    return "".join(lines)


def write_crate(kind, plan):
    crate = GEN / f"gen-{kind}"
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "gen-{kind}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\nworkspace = "../weft"\n\n'
        f'[dependencies]\nweft = {{ path = "../weft/core/weft" }}\n'
    )
    mods = "".join(f"pub mod m{m};\n" for m in range(MODULES))
    (crate / "src" / "lib.rs").write_text(f"//! Generated by run.py ({kind}).\n{mods}")
    for m in range(MODULES):
        (crate / "src" / f"m{m}.rs").write_text(module_source(kind, plan, m))


def snapshot_weft():
    """A copy of HEAD's workspace manifest, core and macros, with the generated crates as members."""
    dest = GEN / "weft"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD", "Cargo.toml", "Cargo.lock", "core", "macros"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    manifest = (dest / "Cargo.toml").read_text()
    head, _, rest = manifest.partition("members = [")
    _, _, rest = rest.partition("]")
    members = '"core/weft", "core/runtime", "core/pipeline", "core/http", "macros"'
    manifest = head + f'members = [{members}, "../gen-macro", "../gen-hand"]' + rest
    (dest / "Cargo.toml").write_text(manifest)


def cargo(args, env):
    """Runs cargo; returns (wall seconds, CPU seconds of cargo and the compilers it ran)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(["cargo", *args], cwd=GEN / "weft", env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"cargo {' '.join(args)} failed")
    return elapsed, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    plan = component_plan(options.components)
    snapshot_weft()
    for kind in ("macro", "hand"):
        write_crate(kind, plan)
    env = dict(os.environ, CARGO_TARGET_DIR=str(GEN / "target"), CARGO_TERM_COLOR="never")
    env.pop("RUSTFLAGS", None)

    sys.stderr.write("building dependencies (and each crate once)...\n")
    for kind in ("macro", "hand"):
        cargo(["build", "-p", f"gen-{kind}"], env)

    samples = {(kind, what): [] for kind in ("macro", "hand") for what in ("clean", "incremental")}
    marked = options.components // 2
    module = min(marked // (options.components // MODULES), MODULES - 1)
    load_before = os.getloadavg()
    for run in range(options.runs):
        for kind in ("macro", "hand"):
            cargo(["clean", "-p", f"gen-{kind}"], env)
            samples[(kind, "clean")].append(cargo(["build", "-p", f"gen-{kind}"], env))
            # Touch one component: change the body of its service method, as an edit would.
            path = GEN / f"gen-{kind}" / "src" / f"m{module}.rs"
            path.write_text(module_source(kind, plan, module, mark=run + 1, marked=marked))
            samples[(kind, "incremental")].append(cargo(["build", "-p", f"gen-{kind}"], env))
            clean, incremental = samples[(kind, "clean")][-1], samples[(kind, "incremental")][-1]
            sys.stderr.write(
                f"run {run + 1}: {kind}: clean {clean[0]:.1f}s wall / {clean[1]:.1f}s CPU, "
                f"incremental {incremental[0]:.1f}s wall / {incremental[1]:.1f}s CPU\n"
            )
    load_after = os.getloadavg()

    def median(kind, what, index):
        return statistics.median(sample[index] for sample in samples[(kind, what)])

    print(
        f"| {options.components} components, median of {options.runs} "
        "| `#[component]` | hand-written | ratio |"
    )
    print("|---|---|---|---|")
    for what in ("clean", "incremental"):
        for index, measure in ((0, "wall"), (1, "CPU")):
            m, h = median("macro", what, index), median("hand", what, index)
            print(f"| {what} build, {measure} time | {m:.2f} s | {h:.2f} s | {m / h:.2f}x |")
    print()
    for (kind, what), values in samples.items():
        print(f"- {kind} {what} (wall/CPU): " + ", ".join(f"{w:.2f}/{c:.2f} s" for w, c in values))
    print(f"- load average (1, 5, 15 min) before: {load_before}, after: {load_after}")

if __name__ == "__main__":
    main()
