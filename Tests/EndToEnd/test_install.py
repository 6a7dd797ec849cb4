"""Installable as a real tool (issue 17): scripts/release-build, scripts/install and
scripts/package, checked on what they produce. The release build takes minutes, so it is made
once for the module (in .build, where scripts/bench's release build lives too) and installed and
packaged from that one binary (SSM_SHELL_RELEASE_SCRATCH puts its objects elsewhere)."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pexpect
import pytest

from conftest import ROOT
from test_shell import BINARY as DEBUG_BINARY, shell_env

# What the Swift toolchain's libraries are called: none may be needed by the release build.
TOOLCHAIN_LIBRARY = re.compile(r"libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU|/swift/")
TIMINGS = {}


def run(*args, check=True, timeout=120, **kwargs):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(args), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result


def timed(name, *args, timeout):
    start = time.monotonic()
    result = run(*args, timeout=timeout, cwd=ROOT)
    TIMINGS[name] = time.monotonic() - start
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built():
    """The release binary, an install under a scratch prefix, and the .deb, made once."""
    work = tempfile.mkdtemp(prefix="ssm-install-")
    # SSM_SHELL_RELEASE_SCRATCH: another directory for the release build's objects.
    scratch = os.environ.get("SSM_SHELL_RELEASE_SCRATCH", os.path.join(ROOT, ".build"))
    binary = timed("release build", os.path.join(ROOT, "scripts", "release-build"), "--scratch-path", scratch, timeout=3600)
    timed("install", os.path.join(ROOT, "scripts", "install"), "--prefix", work + "/prefix", "--binary", binary, timeout=300)
    deb = timed("package", os.path.join(ROOT, "scripts", "package"), "--binary", binary, "--out", work, timeout=600)
    print("\ninstall tests: " + ", ".join("%s %.0f s" % item for item in TIMINGS.items()))
    yield {"binary": binary, "prefix": work + "/prefix", "installed": work + "/prefix/bin/ssm-shell", "deb": deb, "work": work}
    shutil.rmtree(work, ignore_errors=True)


def toolchain_library_directory():
    """Where the debug build finds libswiftCore.so: the toolchain's runtime library directory."""
    for line in run("ldd", DEBUG_BINARY).stdout.splitlines():
        match = re.search(r"libswiftCore\.so => (\S+)", line)
        if match:
            return os.path.dirname(os.path.realpath(match.group(1)))
    raise AssertionError("the debug build does not link libswiftCore.so: cannot tell where the toolchain's libraries are")


def with_toolchain_hidden(command, env):
    """COMMAND (a shell line) in a private mount namespace with an empty tmpfs over the
    toolchain's library directory, so nothing can be loaded from it."""
    library = toolchain_library_directory()
    probe = run("unshare", "-m", "true", check=False)
    if probe.returncode != 0:
        pytest.skip("unshare -m is not permitted here (%s): the ldd test still checks the libraries" % probe.stderr.strip())
    return run("unshare", "-m", "sh", "-c", 'mount -t tmpfs none "$0" && exec sh -c "$1"', library, command, env=env, check=False)


def package_of(library, binary):
    """The Debian package that ships LIBRARY as BINARY loads it (dpkg -S; /lib is /usr/lib)."""
    for line in run("ldd", binary).stdout.splitlines():
        words = line.split()
        path = words[2] if len(words) > 2 and words[0] == library and words[1] == "=>" else words[0] if words[0].endswith("/" + library) else None
        if path:
            for candidate in (path, os.path.realpath(path), "/usr" + path, path.replace("/usr/lib", "/lib", 1)):
                found = run("dpkg", "-S", candidate, check=False)
                if found.returncode == 0:
                    return found.stdout.split(":")[0]
    raise AssertionError("no Debian package ships %s" % library)


def deb_version(stamp):
    """The package version scripts/package derives from `ssm-shell --version`: the version, then
    +git, the build time and the commit (".modified" for a modified tree)."""
    match = re.fullmatch(r"ssm-shell (\S+) \(commit ([0-9a-f]{12})(-modified)?, built (\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z\)\n", stamp)
    assert match, stamp
    return "%s+git%s.%s%s" % (match.group(1), "".join(match.group(4, 5, 6, 7, 8, 9)), match.group(2), ".modified" if match.group(3) else "")


def test_a_tree_unpacked_inside_another_repository_is_stamped_unknown():
    """Not the outer repository's commit: its top level is not this project's root."""
    outer = tempfile.mkdtemp(prefix="ssm-outer-")
    try:
        run("git", "init", "-q", outer)
        shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(outer, "ssm-shell", "scripts"))
        run("git", "-C", outer, "add", "-A")
        run("git", "-C", outer, "-c", "user.email=e2e@localhost", "-c", "user.name=e2e", "commit", "-qm", "outer")
        assert run(os.path.join(outer, "ssm-shell", "scripts", "build-commit")).stdout == "unknown\n"
    finally:
        shutil.rmtree(outer, ignore_errors=True)
    # The project's own checkout is stamped with its commit.
    assert run(os.path.join(ROOT, "scripts", "build-commit")).stdout.split("-")[0].strip() == head_commit()


def package_debug_binary(env=None):
    out = tempfile.mkdtemp(prefix="ssm-package-")
    try:
        return run(os.path.join(ROOT, "scripts", "package"), "--binary", DEBUG_BINARY, "--out", out, check=False, timeout=300, env=env), os.listdir(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_a_debug_build_is_refused_not_packaged_without_its_libraries():
    """dpkg-shlibdeps only warns of the toolchain's libraries (no Debian package ships them) and
    leaves them out of Depends: the package would not run where it is installed."""
    result, written = package_debug_binary()
    assert result.returncode == 1 and written == [], result.stderr
    assert "needs the Swift toolchain's libraries (libswift" in result.stderr and "scripts/release-build" in result.stderr, result.stderr


def test_a_failing_dpkg_shlibdeps_is_shown_with_what_to_do():
    """Its error was thrown away (stderr to /dev/null under set -e): the script ended with no word."""
    fake = tempfile.mkdtemp(prefix="ssm-fake-shlibdeps-")
    with open(os.path.join(fake, "dpkg-shlibdeps"), "w") as f:
        f.write("#!/bin/sh\necho 'dpkg-shlibdeps: error: cannot find library libgone.so.1 needed by ssm-shell' >&2\nexit 2\n")
    os.chmod(os.path.join(fake, "dpkg-shlibdeps"), 0o755)
    try:
        result, written = package_debug_binary(dict(os.environ, PATH=fake + ":" + os.environ["PATH"]))
    finally:
        shutil.rmtree(fake, ignore_errors=True)
    assert result.returncode == 1 and written == [], result.stderr
    assert "  dpkg-shlibdeps: error: cannot find library libgone.so.1 needed by ssm-shell\n" in result.stderr, result.stderr
    assert "package a release build made by scripts/release-build" in result.stderr, result.stderr


def head_commit():
    return run("git", "-C", ROOT, "rev-parse", "--short=12", "HEAD").stdout.strip()


def test_the_installed_binary_needs_no_swift_toolchain_library(built):
    libraries = run("ldd", built["installed"]).stdout
    assert "libcurl.so.4" in libraries and "libedit.so.2" in libraries and "libcrypto.so.3" in libraries
    assert not TOOLCHAIN_LIBRARY.search(libraries), libraries
    # No run path at all: neither the toolchain's nor $ORIGIN (a library dropped beside the binary).
    dynamic = run("readelf", "-d", built["installed"]).stdout
    assert "RPATH" not in dynamic and "RUNPATH" not in dynamic, dynamic
    # The debug build, for contrast, does load them: the pattern above would see them.
    assert TOOLCHAIN_LIBRARY.search(run("ldd", DEBUG_BINARY).stdout)


def test_it_runs_version_and_a_script_against_the_emulator_with_the_toolchain_hidden(built, emulator):
    env = shell_env(emulator)
    env["LD_LIBRARY_PATH"] = ""
    # The hiding works: the debug build cannot start without the toolchain's libraries.
    control = with_toolchain_hidden(DEBUG_BINARY + " --version", env)
    assert control.returncode != 0 and "libswift" in control.stderr, control.stderr
    version = with_toolchain_hidden(built["installed"] + " --version", env)
    assert version.returncode == 0, version.stderr
    match = re.fullmatch(r"ssm-shell (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12})(-modified)?, built (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\)\n", version.stdout)
    assert match, version.stdout
    assert match.group(2) == head_commit()
    # "-modified" exactly when what SwiftPM compiles differs from the commit, new files included.
    changed = run("git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift").stdout.strip()
    assert bool(match.group(3)) == bool(changed), (version.stdout, changed)
    script = os.path.join(built["work"], "fleet.ssm")
    with open(script, "w") as f:
        f.write("use all\ninstances\nrun --wait echo hello-from-the-fleet\noutput\n")
    result = with_toolchain_hidden(built["installed"] + " " + script, env)
    assert result.returncode == 0, result.stderr
    assert "web-1" in result.stdout and "hello-from-the-fleet" in result.stdout, result.stdout


def test_the_package_declares_exactly_the_debian_libraries_the_binary_links(built):
    info = run("dpkg-deb", "--info", built["deb"]).stdout
    fields = dict(re.findall(r"^ (\S+): (.*)$", info, re.M))
    version = deb_version(run(built["installed"], "--version").stdout)
    assert fields["Package"] == "ssm-shell"
    assert fields["Version"] == version
    # Each commit's build is a newer package than the plain version (dpkg's order).
    assert run("dpkg", "--compare-versions", version, "gt", "0.1.0", check=False).returncode == 0, version
    assert fields["Architecture"] == run("dpkg", "--print-architecture").stdout.strip()
    assert os.path.basename(built["deb"]) == "ssm-shell_%s_%s.deb" % (version, fields["Architecture"])
    depends = {re.sub(r"\s*\(.*\)", "", item).strip() for item in fields["Depends"].split(",")}
    # Each library the binary names (ELF NEEDED), by the Debian package that ships it.
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", run("readelf", "-d", built["installed"]).stdout)
    owners = {package_of(library, built["installed"]) for library in needed}
    # libm and the loader are libc6's; dpkg-shlibdeps names each package once.
    assert depends == owners, (depends, owners)
    assert {"libcurl4", "libedit2", "libssl3", "libc6"} <= depends
    assert not any("swift" in name.lower() for name in depends)


def test_the_package_holds_the_binary_the_manual_page_and_three_completions(built):
    listing = run("dpkg-deb", "--contents", built["deb"]).stdout
    files = {line.split()[-1] for line in listing.splitlines() if line.startswith("-")}
    assert files == {
        "./usr/bin/ssm-shell",
        "./usr/share/man/man1/ssm-shell.1.gz",
        "./usr/share/bash-completion/completions/ssm-shell",
        "./usr/share/zsh/vendor-completions/_ssm-shell",
        "./usr/share/fish/vendor_completions.d/ssm-shell.fish",
        "./usr/share/doc/ssm-shell/copyright",
    }
    # Debian policy 12.5: the copyright file, in the machine-readable format.
    unpacked = os.path.join(built["work"], "unpacked")
    run("dpkg-deb", "--extract", built["deb"], unpacked)
    with open(os.path.join(unpacked, "usr/share/doc/ssm-shell/copyright")) as f:
        copyright = f.read()
    assert copyright.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"), copyright
    assert "Upstream-Name: ssm-shell" in copyright and "Runtime Library Exception" in copyright
    for line in listing.splitlines():
        mode, owner = line.split()[:2]
        assert owner == "root/root", line
        assert mode in ("drwxr-xr-x", "-rwxr-xr-x" if line.endswith("/bin/ssm-shell") else "-rw-r--r--"), line


def test_the_package_installs_into_a_scratch_root_and_runs(built):
    root = os.path.join(built["work"], "root")
    for directory in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
    # The scratch root has none of the libraries: their packages are this machine's.
    run("dpkg", "--root=" + root, "--force-depends", "--force-not-root", "--force-script-chrootless", "--install", built["deb"], timeout=300)
    status = run("dpkg", "--root=" + root, "--status", "ssm-shell").stdout
    assert "Status: install ok installed" in status
    assert "/usr/bin/ssm-shell" in run("dpkg", "--root=" + root, "--listfiles", "ssm-shell").stdout
    installed = os.path.join(root, "usr", "bin", "ssm-shell")
    assert run(installed, "--version").stdout.startswith("ssm-shell ")
    assert "help [COMMAND]" in run(installed, "-c", "help help").stdout
    page = run("man", "-l", os.path.join(root, "usr/share/man/man1/ssm-shell.1.gz"), env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
    assert "SSM-SHELL(1)" in page.stdout


def test_an_install_under_a_strict_umask_is_still_readable_by_everyone(built):
    """sudo scripts/install with root's umask 077 must not leave 0700 directories that hide the
    completions and the manual page from every other user."""
    prefix = built["work"] + "/strict"
    run("sh", "-c", 'umask 077; exec "$0" --prefix "$1" --binary "$2"', os.path.join(ROOT, "scripts", "install"), prefix, built["binary"])
    for directory, _, files in os.walk(prefix):
        assert os.stat(directory).st_mode & 0o777 == 0o755, "%s is %o" % (directory, os.stat(directory).st_mode & 0o777)
        for name in files:
            assert os.stat(os.path.join(directory, name)).st_mode & 0o044 == 0o044, "%s is not readable by others" % name


def test_man_renders_every_option_and_command_of_help(built):
    page_file = os.path.join(built["prefix"], "share", "man", "man1", "ssm-shell.1")
    rendered = run("man", "-l", page_file, env=dict(os.environ, MANWIDTH="200", MANPAGER="cat", PAGER="cat", MAN_KEEP_FORMATTING="")).stdout
    rendered = re.sub(".\b", "", rendered)
    # Long lines wrap: words are compared, not line breaks.
    flowing = " ".join(rendered.split())
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "CONTROL FLOW", "NOTES"):
        assert re.search(r"^%s$" % section, rendered, re.M), section
    help_text = run(built["installed"], "--help").stdout
    for option in re.findall(r"^  (-[-\w]+(?:, --\w+)?)", help_text, re.M):
        assert option in rendered, option
    commands = help_text.split("Commands: ")[1].split(". Type")[0].replace("\n", " ").split(", ")
    assert len(commands) > 25
    overview = run(built["installed"], "-c", "help").stdout
    for name in commands:
        usage = run(built["installed"], "-c", "help '%s'" % name).stdout.splitlines()[0]
        assert " ".join(usage.split()) in flowing, usage
        assert name in overview
    # groff reads it without a warning.
    check = run("groff", "-man", "-ww", "-z", page_file)
    assert check.stderr == ""


def test_bash_zsh_and_fish_accept_the_completions(built):
    share = os.path.join(built["prefix"], "share")
    run("bash", "-n", os.path.join(share, "bash-completion", "completions", "ssm-shell"))
    run("zsh", "-n", os.path.join(share, "zsh", "site-functions", "_ssm-shell"))
    run("fish", "-n", os.path.join(share, "fish", "vendor_completions.d", "ssm-shell.fish"))


@pytest.fixture
def completion_env(built):
    """PATH with the installed binary, and AWS files naming three profiles and an sso-session."""
    home = tempfile.mkdtemp(prefix="ssm-complete-")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n")
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write("[staging]\naws_access_key_id = A\naws_secret_access_key = B\n")
    yield {"PATH": os.path.dirname(built["installed"]) + ":/usr/bin:/bin", "HOME": home, "TERM": "dumb", "LANG": "C.UTF-8"}
    shutil.rmtree(home, ignore_errors=True)


def bash_completions(built, env, *words):
    """What the installed bash completion offers for WORDS, the last being typed, as bash calls
    it: COMP_WORDS and COMP_CWORD set, the function `complete -p` names run."""
    script = os.path.join(built["prefix"], "share", "bash-completion", "completions", "ssm-shell")
    quoted = " ".join("'%s'" % word for word in ("ssm-shell",) + words)
    program = ('source "$0"; function=$(complete -p ssm-shell | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p"); '
               'COMP_WORDS=(%s); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); "$function" ssm-shell; '
               'printf "%%s\\n" "${COMPREPLY[@]}"' % quoted)
    empty = tempfile.mkdtemp(prefix="ssm-complete-cwd-")
    return run("bash", "--norc", "-c", program, script, env=env, cwd=empty).stdout.split()


def test_bash_completion_offers_the_commands_options_profiles_and_regions(built, completion_env):
    help_text = run(built["installed"], "--help").stdout
    commands = help_text.split("Commands: ")[1].split(". Type")[0].replace("\n", " ").split(", ")
    assert set(bash_completions(built, completion_env, "")) == {"proxy", "doctor", "policy", "console", "api"}
    assert set(commands) <= set(bash_completions(built, completion_env, "-c", ""))
    assert bash_completions(built, completion_env, "-c", "inst") == ["instances"]
    assert set(bash_completions(built, completion_env, "--no-")) == {"--no-color", "--no-init"}
    assert bash_completions(built, completion_env, "--profile", "") == ["default", "prod", "staging"]
    assert bash_completions(built, completion_env, "--profile", "=", "st") == ["staging"]
    assert bash_completions(built, completion_env, "--region", "eu-c") == ["eu-central-1", "eu-central-2"]
    assert bash_completions(built, completion_env, "--profile", "prod", "api", "") == ["ec2", "ssm", "sts"]
    assert bash_completions(built, completion_env, "--output", "t") == ["table", "text"]


def test_fish_completion_offers_the_commands_profiles_and_regions(built, completion_env):
    script = os.path.join(built["prefix"], "share", "fish", "vendor_completions.d", "ssm-shell.fish")

    def complete(line):
        out = run("fish", "--no-config", "-c", "source $argv[1]; complete -C$argv[2]", script, line, env=completion_env).stdout
        return [entry.split("\t")[0] for entry in out.splitlines()]

    assert {"proxy", "doctor", "policy", "console", "api"} <= set(complete("ssm-shell "))
    assert complete("ssm-shell --profile ") == ["default", "prod", "staging"]
    assert complete("ssm-shell --region eu-c") == ["eu-central-1", "eu-central-2"]
    assert "instances" in complete("ssm-shell -c ")


def test_zsh_completes_at_a_real_prompt(built, completion_env):
    functions = os.path.join(built["prefix"], "share", "zsh", "site-functions")
    env = dict(completion_env, ZDOTDIR=completion_env["HOME"])
    zsh = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=20, dimensions=(40, 200), cwd=completion_env["HOME"])
    try:
        zsh.sendline("PS1='zsh> '; fpath=(%s $fpath); autoload -U compinit; compinit -u -D; echo READY-$((6*7))" % functions)
        zsh.expect("READY-42")
        zsh.send("ssm-shell --region eu-cen\t")
        zsh.expect("eu-central-")
        zsh.send("\x03")
        zsh.send("ssm-shell --profile \t")
        zsh.expect("staging")
        zsh.send("\x03")
        zsh.send("ssm-shell doc\t")
        zsh.expect(r"ssm-shell doctor")
        zsh.send("\x03")
    finally:
        zsh.close(force=True)
