# amplify_hosting.ssr — everything runs from a fresh clone with Python 3.11 and make.
#   make demo   set up, start the local AWS endpoint, run the demo against it
#   make test   set up, run every test (sanity, units, integration, molecule, lint, endpoint tests)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The one place the endpoint's port is set; everything else reads LOCAL_AWS_PORT / AWS_ENDPOINT_URL.
LOCAL_AWS_PORT ?= 4566
ENDPOINT := http://127.0.0.1:$(LOCAL_AWS_PORT)
# One endpoint per port, each with its own state, so that parallel test runs do not share a request log.
STATE := .tmp/local-aws/$(LOCAL_AWS_PORT)
# ansible-test needs the collection at ansible_collections/<namespace>/<name>: we test a copy there.
TEST_ROOT ?= .tmp/ansible-test
# Integration targets to run (all when empty), e.g. make integration TARGETS="app branch"
TARGETS ?=
# Molecule scenarios to run (all in extensions/molecule when empty), e.g. make molecule SCENARIOS=verify
SCENARIOS ?=
TEST_TREE := $(TEST_ROOT)/ansible_collections/amplify_hosting/ssr
SITE := $(VENV)/lib/python3.11/site-packages

# Credentials for the local endpoint only: dummies, so that nothing can ever reach a real account.
export LOCAL_AWS_PORT
export AWS_ENDPOINT_URL := $(ENDPOINT)
export AWS_ACCESS_KEY_ID := local-aws-access-key
export AWS_SECRET_ACCESS_KEY := local-aws-secret-key
export AWS_REGION := us-east-1
export AWS_DEFAULT_REGION := us-east-1
unexport AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
# npm's cache (the example's npm ci and the local compute's builds) and the local compute's build cache, shared
# by every endpoint of this checkout: an unchanged example is installed from the cache and built once.
export npm_config_cache := $(CURDIR)/.tmp/npm-cache
export LOCAL_AWS_BUILD_CACHE := $(CURDIR)/.tmp/build-cache
# The demo app's Git repository (hack/make_demo_repo.py), cloned by the local compute in place of GitHub.
DEMO_REPO := .tmp/repos/nextjs-compute-role-demo
DEMO_REPO_URL := https://github.com/example/nextjs-compute-role-demo
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help venv local-aws local-aws-stop demo demo-accounts demo-repo test sanity units integration molecule lint endpoint-tests \
        example-test playbook-tests bench bench-compute test-tree collection-link clean browser-deps browser-test example-build \
        test-under-load test-lane-playbooks test-lane-checks test-stop distribution-tests changelog matrix matrix-venv matrix-tests collection-checks

help:
	@echo "make demo            run the whole flow against the local AWS endpoint"
	@echo "make demo-accounts   the demo with prod in a second account (docs/accounts.md)"
	@echo "make test            every test: sanity, units, integration, molecule, lint, endpoint"
	@echo "make test-under-load make test with every core kept busy (hack/cpu_load.py; LOAD_PROCESSES=N)"
	@echo "make local-aws       start the local AWS endpoint on $(ENDPOINT) (make local-aws-stop stops it)"
	@echo "make playbook-tests  site/verify/teardown playbooks against the local endpoint (tests/playbooks)"
	@echo "make distribution-tests  the built tarball installed, its playbooks run by name; the EE context (tests/distribution)"
	@echo "make collection-checks  the built tarball through galaxy-importer and antsibull-docs lint-collection-docs"
	@echo "make changelog       CHANGELOG.rst from changelogs/ (antsibull-changelog release of galaxy.yml's version)"
	@echo "make matrix-tests    sanity and units on the oldest claimed ansible-core (2.17), in a venv of its own"
	@echo "make matrix          the installed tarball's playbooks on ansible-core 2.17 (not in make test)"
	@echo "make bench           API calls and wall time per converge and how they grow (bench/results/latest.md)"
	@echo "make bench-compute   only the bench's local compute section: releases, /api/image latency, memory"
	@echo "make example-test    build the example Next.js app (npm ci, npm run build) and test it end to end"
	@echo "make browser-deps    install Debian's chromium and chromium-driver (apt-get) when missing"
	@echo "make browser-test    the example app in headless Chromium through a *.localhost host name (tests/browser)"

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-test.txt local_aws/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

local-aws: venv
	$(BIN)/local-aws start --port $(LOCAL_AWS_PORT) --state-dir $(STATE)

local-aws-stop:
	@if [ -x $(BIN)/local-aws ]; then $(BIN)/local-aws stop --state-dir $(STATE); fi

# The collection as ansible-playbook finds it from this checkout (see ansible.cfg collections_path).
collection-link:
	@mkdir -p .tmp/collections/ansible_collections/amplify_hosting
	@ln -sfn ../../../.. .tmp/collections/ansible_collections/amplify_hosting/ssr

# A copy for ansible-test (it wants the real path to end in ansible_collections/<ns>/<name>), with
# amazon.aws and community.aws beside it so imports resolve, and the generated integration_config.yml.
test-tree: venv
	rm -rf $(TEST_ROOT) && mkdir -p $(TEST_TREE) $(TEST_ROOT)/ansible_collections/amazon \
	  $(TEST_ROOT)/ansible_collections/community
	git ls-files -z --cached --others --exclude-standard | grep -zv -E '^(local_aws|examples|bench|hack)/' \
	  | xargs -0 -I{} cp --parents {} $(TEST_TREE)/
	ln -sfn $(CURDIR)/$(SITE)/ansible_collections/amazon/aws $(TEST_ROOT)/ansible_collections/amazon/aws
	ln -sfn $(CURDIR)/$(SITE)/ansible_collections/community/aws $(TEST_ROOT)/ansible_collections/community/aws
	mkdir -p $(TEST_TREE)/tests/integration
	printf 'endpoint_url: %s\naws_access_key: %s\naws_secret_key: %s\naws_region: %s\n' \
	  "$(ENDPOINT)" "$$AWS_ACCESS_KEY_ID" "$$AWS_SECRET_ACCESS_KEY" "$$AWS_REGION" \
	  > $(TEST_TREE)/tests/integration/integration_config.yml
	git init -q $(TEST_TREE) && git -C $(TEST_TREE) add -A

# ansible-test fetches a pip bootstrap script from outside this network; supply ours (hack/get_pip_offline.py).
# ANSIBLE_TEST_PYTHON: the python whose ansible-test runs (make matrix-tests: the 2.17 venv's, which wants another pip).
ANSIBLE_TEST_PYTHON ?= $(BIN)/python
ansible-test-bootstrap: venv
	pip_version=$$($(ANSIBLE_TEST_PYTHON) -c \
	  'from ansible_test._internal.python_requirements import get_venv_packages as g; \
	  print(g(type("P", (), {"version": "3.11"})())["pip"])'); \
	mkdir -p ~/.ansible/test/cache; \
	cp hack/get_pip_offline.py ~/.ansible/test/cache/get_pip_$${pip_version//./_}.py

sanity: test-tree ansible-test-bootstrap
	cd $(TEST_TREE) && ansible-test sanity --venv --python 3.11 --color no

units: test-tree ansible-test-bootstrap
	cd $(TEST_TREE) && ansible-test units --venv --python 3.11 --color no --requirements

# Integration targets run against the local endpoint with this venv's boto3 (controller = origin).
integration: test-tree
	$(MAKE) --no-print-directory local-aws
	cd $(TEST_TREE) && ansible-test integration --python 3.11 --color no $(TARGETS)

molecule: venv collection-link
	$(MAKE) --no-print-directory local-aws
	for scenario in $(or $(SCENARIOS),$$(ls extensions/molecule)); do \
	  molecule test -s $$scenario || exit 1; \
	done

lint: venv collection-link
	ansible-lint --profile production --offline
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml

# CHANGELOG.rst: the release of galaxy.yml's version in changelogs/changelog.yaml, with the fragments as they are
# now (keep_fragments: fragments stay, so edits to them and new ones are taken in by running this again) and the
# modules, plugins and roles (version_added) that are new in it.
CHANGELOG_VERSION = $(shell $(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
changelog: venv collection-link
	antsibull-changelog release --version $(CHANGELOG_VERSION) --refresh-fragments --reload-plugins

# The tarball as users get it (ansible-galaxy collection build), installed into a fresh collections path with
# amazon.aws from the venv's ansible package; its playbooks run by name (amplify_hosting.ssr.site, .verify,
# .teardown) for dev against the local endpoint from a directory outside the checkout; and the execution
# environment example's build context (ansible-builder create, no container build). Resets the endpoint.
# test_installed.py runs ansible from a fresh venv with only `pip install ansible` (the pin of requirements.txt)
# and the collection's Python requirements (meta/ee-requirements.txt), as a user installs it; remade when either
# file changes (pip's cache makes it quick).
FRESH_VENV := .tmp/fresh/venv
$(FRESH_VENV)/.installed: requirements.txt meta/ee-requirements.txt
	rm -rf $(FRESH_VENV) && $(PYTHON) -m venv $(FRESH_VENV)
	$(FRESH_VENV)/bin/python -m pip install -q --disable-pip-version-check "$$(grep -E '^ansible==' requirements.txt)" \
	  -r meta/ee-requirements.txt
	touch $@
distribution-tests: venv $(FRESH_VENV)/.installed
	$(MAKE) --no-print-directory local-aws
	DISTRIBUTION_BIN=$(CURDIR)/$(FRESH_VENV)/bin $(BIN)/pytest -q -p no:cacheprovider tests/distribution $(PYTEST_ARGS)

endpoint-tests: venv
	cd local_aws && ../$(BIN)/pytest -q

# The example Next.js app (examples/nextjs-compute-role-demo): install from package-lock.json, production
# build, then its built server end to end against the local endpoint (bucket, PNG, next start, /api/image).
example-test: venv example-build
	$(MAKE) --no-print-directory local-aws
	$(BIN)/pytest -q -p no:cacheprovider examples/nextjs-compute-role-demo/tests

# Chromium and its WebDriver from Debian, installed with apt-get only when missing: never a browser download
# (no `playwright install`, and tests/browser gives Selenium this chromedriver so Selenium Manager stays idle).
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# (`chromium --version` without its stderr: Debian's launcher complains when findmnt lists /dev/shm twice.)
browser-deps:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
	  echo "installing chromium and chromium-driver from Debian (apt-get)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    chromium chromium-driver fonts-liberation; \
	fi
	@$(CHROMIUM) --version 2>/dev/null && $(CHROMEDRIVER) --version

# The example's production build, redone only when its sources or lock file changed (example-test always
# rebuilds; after it, this finds the build up to date).
EXAMPLE := examples/nextjs-compute-role-demo
EXAMPLE_SOURCES := $(EXAMPLE)/tsconfig.json $(shell find $(EXAMPLE)/app $(wildcard $(EXAMPLE)/public) -type f) \
                   $(wildcard $(EXAMPLE)/next.config.*)
example-build: $(EXAMPLE)/.next/BUILD_ID
$(EXAMPLE)/node_modules/.package-lock.json: $(EXAMPLE)/package.json $(EXAMPLE)/package-lock.json
	cd $(EXAMPLE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(EXAMPLE)/.next/BUILD_ID: $(EXAMPLE)/node_modules/.package-lock.json $(EXAMPLE_SOURCES)
	cd $(EXAMPLE) && NEXT_TELEMETRY_DISABLED=1 npm run build
	touch $@

# The example app in a real browser (headless Debian Chromium driven by Selenium): `next start` against the
# local endpoint, opened through a *.localhost host name, the button clicked, the image or the alert checked,
# screenshots in tests/output/browser. BROWSER_TESTS_REQUIRED=1: a missing build fails the run, never a skip.
browser-test: venv browser-deps example-build
	$(MAKE) --no-print-directory local-aws
	BROWSER_TESTS_REQUIRED=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser $(PYTEST_ARGS)

# The playbooks (site, verify, teardown, the inclusion example) run for real against the local endpoint; each
# test resets the endpoint, so it must be this run's alone (its own LOCAL_AWS_PORT). tests/playbooks/test_compute.py
# releases the example on the local compute and opens each branch in Chromium (browser-deps).
playbook-tests: venv collection-link browser-deps
	$(MAKE) --no-print-directory local-aws
	$(BIN)/pytest -q -p no:cacheprovider tests/playbooks $(PYTEST_ARGS)

# The oldest ansible-core requires_ansible claims (2.17) with the oldest boto3/botocore the modules take (1.36.22),
# in a venv of its own made from tests/matrix/requirements-core217.txt (remade only when that file changes: the
# .installed stamp), with amazon.aws 10.1.x and community.aws 10.0.0 linked from this venv's ansible package
# (ansible 10.x, the bundle of core 2.17, carries amazon.aws and community.aws 8.x, below galaxy.yml's >=10.0.0;
# both 10.x take ansible-core >=2.17.0). Results in docs/supported-versions.md.
#   make matrix-venv   the venv alone
#   make matrix-tests  ansible-test sanity and units with 2.17's ansible-test, in a test tree of its own (in make test)
#   make matrix        the distribution test's install and site/verify/teardown run
#                      (tests/distribution/test_installed.py) with 2.17 (not in make test: make distribution-tests
#                      runs it on the main venv's core)
MATRIX_CORE ?= 2.17
MATRIX_VENV := .tmp/matrix/core-$(MATRIX_CORE)
MATRIX_SITE := $(MATRIX_VENV)/lib/python3.11/site-packages
MATRIX_REQUIREMENTS := tests/matrix/requirements-core$(subst .,,$(MATRIX_CORE)).txt
MATRIX_TEST_ROOT := .tmp/matrix/ansible-test-$(MATRIX_CORE)
# The collections are linked on every run (not under the .installed stamp), so a venv made before a dependency
# was added gets it too.
matrix-venv: $(MATRIX_VENV)/.installed
	mkdir -p $(MATRIX_SITE)/ansible_collections/amazon $(MATRIX_SITE)/ansible_collections/community
	ln -sfn $(CURDIR)/$(SITE)/ansible_collections/amazon/aws $(MATRIX_SITE)/ansible_collections/amazon/aws
	ln -sfn $(CURDIR)/$(SITE)/ansible_collections/community/aws $(MATRIX_SITE)/ansible_collections/community/aws
$(MATRIX_VENV)/.installed: $(MATRIX_REQUIREMENTS) | $(VENV)/.installed
	test -x $(MATRIX_VENV)/bin/python || $(PYTHON) -m venv $(MATRIX_VENV)
	$(MATRIX_VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(MATRIX_REQUIREMENTS)
	touch $@

# Every sanity test 2.17's ansible-test has, with no ignore file (as make sanity), and the unit tests, each run
# in the venvs ansible-test makes (--venv) from its own pinned requirements.
matrix-tests: matrix-venv
	$(MAKE) --no-print-directory test-tree TEST_ROOT=$(MATRIX_TEST_ROOT)
	$(MAKE) --no-print-directory ansible-test-bootstrap ANSIBLE_TEST_PYTHON=$(MATRIX_VENV)/bin/python
	$(MATRIX_VENV)/bin/python -c 'import ansible.release, botocore; \
	  print("ansible-core", ansible.release.__version__, "botocore", botocore.__version__)'
	cd $(MATRIX_TEST_ROOT)/ansible_collections/amplify_hosting/ssr && \
	  $(CURDIR)/$(MATRIX_VENV)/bin/ansible-test sanity --venv --python 3.11 --color no && \
	  $(CURDIR)/$(MATRIX_VENV)/bin/ansible-test units --venv --python 3.11 --color no --requirements

matrix: matrix-venv
	$(MAKE) --no-print-directory local-aws
	$(MATRIX_VENV)/bin/python -c 'import ansible.release, botocore; \
	  print("ansible-core", ansible.release.__version__, "botocore", botocore.__version__)'
	PYTHONPATH=$(CURDIR)/local_aws $(MATRIX_VENV)/bin/pytest -q -p no:cacheprovider tests/distribution/test_installed.py

# The built tarball through galaxy-importer (Galaxy's checks on an upload: MANIFEST, docs, ansible-doc, offline
# ansible-lint; tests/galaxy-importer.cfg: no containers, no ansible-test), then installed into an empty collections
# path and its plugin and role docs through antsibull-docs lint-collection-docs. Any ERROR from the importer fails.
DIST := .tmp/dist
collection-checks: venv
	rm -rf $(DIST) && mkdir -p $(DIST)/tmp $(DIST)/ansible-tmp $(DIST)/collections
	ansible-galaxy collection build --force --output-path $(DIST) .
	# The importer requires a repository URL, which galaxy.yml does not name yet: it checks a copy that has one.
	mkdir -p $(DIST)/importer && cd $(DIST) && for t in amplify_hosting-ssr-*.tar.gz; do \
	  $(CURDIR)/$(BIN)/python $(CURDIR)/hack/stand_in_repository.py $$t importer/$$t || exit 1; done
	cd $(DIST) && GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	  GALAXY_IMPORTER_TMP_ROOT_DIR=$(CURDIR)/$(DIST)/tmp GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$(CURDIR)/$(DIST)/ansible-tmp \
	  $(CURDIR)/$(BIN)/python -m galaxy_importer.main importer/amplify_hosting-ssr-*.tar.gz 2>&1 | tee importer.log
	@if grep -E '^(ERROR|CRITICAL)' $(DIST)/importer.log; then echo "galaxy-importer reported errors"; exit 1; fi
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(DIST)/collections ansible-galaxy collection install --offline --no-deps --force \
	  -p $(DIST)/collections $(DIST)/amplify_hosting-ssr-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(DIST)/collections antsibull-docs lint-collection-docs --plugin-docs \
	  --validate-collection-refs dependent $(DIST)/collections/ansible_collections/amplify_hosting/ssr

# Two lanes at once, each with an endpoint of its own (a port each: every suite that resets its endpoint has it to
# itself): the playbook tests (the longest suite, one core most of the time) beside every other suite, one after
# another. What both lanes use is made first (the venv, the collection link, Chromium, the example's build). Each
# lane's output is printed as a block when the lane ends (--output-sync); the first failure fails make test.
# `make test-lane-playbooks` / `make test-lane-checks` run one lane alone.
LANE_PORT := $(shell echo $$(( $(LOCAL_AWS_PORT) + 1 )))
test: venv collection-link browser-deps example-build
	$(MAKE) --no-print-directory -j2 --output-sync=recurse test-lane-playbooks test-lane-checks
	@echo "make test: all suites passed"
test-lane-playbooks: venv
	status=0; $(MAKE) --no-print-directory LOCAL_AWS_PORT=$(LANE_PORT) playbook-tests || status=$$?; \
	  $(MAKE) --no-print-directory LOCAL_AWS_PORT=$(LANE_PORT) local-aws-stop; exit $$status
test-lane-checks: venv
	$(MAKE) --no-print-directory endpoint-tests
	$(MAKE) --no-print-directory example-test
	$(MAKE) --no-print-directory browser-test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory collection-checks
	$(MAKE) --no-print-directory sanity
	$(MAKE) --no-print-directory units
	$(MAKE) --no-print-directory matrix-tests
	$(MAKE) --no-print-directory integration
	$(MAKE) --no-print-directory molecule
	$(MAKE) --no-print-directory distribution-tests
	$(MAKE) --no-print-directory local-aws-stop
# Both lanes' endpoints stopped (.ci/run on exit, whatever the outcome).
test-stop:
	$(MAKE) --no-print-directory local-aws-stop
	$(MAKE) --no-print-directory LOCAL_AWS_PORT=$(LANE_PORT) local-aws-stop

# make test while hack/cpu_load.py keeps the cores busy (one spinning process per core; LOAD_PROCESSES=N for
# another count), as on a loaded CI machine. The load stops whatever the outcome (also when this shell is
# killed: --while-pid), and the exit status is make test's. Not run in CI (docs/development.md).
LOAD_PROCESSES ?=
test-under-load: venv
	$(BIN)/python hack/cpu_load.py --while-pid $$$$ $(if $(LOAD_PROCESSES),--processes $(LOAD_PROCESSES)) & load=$$!; \
	  trap 'kill $$load 2>/dev/null || true; wait $$load 2>/dev/null || true' EXIT; \
	  status=0; $(MAKE) --no-print-directory test || status=$$?; \
	  exit $$status

# The demo app as a Git repository, and the endpoint told to clone it for the inventory's repository URL.
demo-repo: venv
	$(MAKE) --no-print-directory local-aws
	$(BIN)/python hack/make_demo_repo.py examples/nextjs-compute-role-demo $(DEMO_REPO)
	$(BIN)/local-aws repository --port $(LOCAL_AWS_PORT) $(DEMO_REPO_URL) $(DEMO_REPO)

# The whole flow for dev, staging and prod against the local endpoint: site.yml (which releases each branch:
# the local compute clones, builds and serves it with its compute role), then verify.yml (which GETs each
# branch's /api/image through its URL and finds the request in the compute log), then the API calls the
# endpoint saw and the URLs to open. A second `make demo` writes nothing.
demo: venv collection-link demo-repo
	$(BIN)/local-aws calls --port $(LOCAL_AWS_PORT) --clear
	SSR_COMMIT_ID=$$(git -C $(DEMO_REPO) rev-parse HEAD) ansible-playbook -i inventories/local playbooks/site.yml
	ansible-playbook -i inventories/local playbooks/verify.yml -e ssr_verify_require_app_url=true
	$(BIN)/local-aws calls --port $(LOCAL_AWS_PORT)
	@echo "Open each environment's branch URL and press the button:"
	@$(BIN)/local-aws urls --port $(LOCAL_AWS_PORT)

# The demo in two accounts (docs/accounts.md): dev and staging in 123456789012, prod in 222222222222 through a
# role made there with that account's key. Uses the same local endpoint and repository as make demo.
demo-accounts: venv collection-link demo-repo
	AWS_ACCESS_KEY_ID=local-aws-access-key-222222222222 \
	  ansible-playbook -i inventories/local-accounts playbooks/examples/cross_account_role.yml
	SSR_COMMIT_ID=$$(git -C $(DEMO_REPO) rev-parse HEAD) ansible-playbook -i inventories/local-accounts playbooks/site.yml
	ansible-playbook -i inventories/local-accounts playbooks/verify.yml -e ssr_verify_require_app_url=true

clean: local-aws-stop
	rm -rf .tmp tests/output

# Benchmarks (bench/bench.py) on an endpoint of their own; the AWS CLI baseline uses awscli from PyPI in a
# venv of its own (its botocore pin must not touch the collection's). Results: bench/results/latest.{json,md}.
# The last section, the local compute, releases the demo repository's app for real (npm ci, next build).
# BENCH_ONLY=compute (or make bench-compute) runs that section alone, merged into the existing results;
# BENCH_ONLY=latency likewise the runs under the endpoint's latency model (the AWS CLI script and site.yml);
# BENCH_ONLY=accounts the 3 environments across 2 accounts (inventories/local-accounts).
BENCH_PORT ?= 4580
BENCH_ONLY ?=
AWSCLI := .tmp/bench/awscli
$(AWSCLI)/bin/aws: bench/requirements.txt
	test -x $(AWSCLI)/bin/python || $(PYTHON) -m venv $(AWSCLI)
	$(AWSCLI)/bin/python -m pip install -q --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: venv collection-link $(if $(filter compute accounts,$(BENCH_ONLY)),,$(AWSCLI)/bin/aws)
	$(BIN)/local-aws start --port $(BENCH_PORT) --state-dir .tmp/local-aws/$(BENCH_PORT)
	status=0; $(BIN)/python bench/bench.py --port $(BENCH_PORT) --demo-repo $(DEMO_REPO) --demo-repo-url $(DEMO_REPO_URL) \
	  $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) $(if $(filter compute accounts,$(BENCH_ONLY)),,--aws $(AWSCLI)/bin/aws) || status=$$?; \
	  $(BIN)/local-aws stop --state-dir .tmp/local-aws/$(BENCH_PORT); exit $$status

bench-compute:
	$(MAKE) --no-print-directory bench BENCH_ONLY=compute
