# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check mode through a chain of the collection's modules: on an empty account, `--check --diff` of a user's own
playbook that makes a role, an app, a branch, the compute roles and a release reads as a plan (issue 18): every
task reports what it would do, with a warning where it counts on an earlier task; nothing fails; nothing is
written. A real run of the same playbook fails where it should not (no app) only if an earlier task did not make it;
an app id that does not exist still fails in check mode."""

CHAIN = "tests/playbooks/chain_check.yml"
INVENTORY = "tests/playbooks/bad_input/inventory.yml"


def test_a_chain_under_check_and_diff_is_a_plan_with_no_write(empty_account, playbook):
    mark = empty_account.mark()
    result = playbook(CHAIN, "--check", "--diff", "-e", "chain_expect_plan=true", inventory=INVENTORY)
    assert result.returncode == 0, result
    assert result.recap["localhost"]["failed"] == 0 and result.changed("localhost") == 6, result
    assert empty_account.writes_since(mark) == []
    # Each task that counts on an earlier one says so, naming the option.
    missing = "app: no Amplify app has the id or name 'chain-check-app' yet; check mode reports %s as once"
    for plan in ("branch dev", "the app's default role", "the role of branch dev", "the RELEASE job of branch dev"):
        assert missing % plan in result.output, result
    assert "compute_role_arn: IAM role chain-check-compute does not exist (yet)" in result.output
    # The diff shows the plan: the branch and the role it would get.
    assert '"compute_role_arn": "chain-check-compute"' in result.output and '"stage": "DEVELOPMENT"' in result.output


def test_the_same_chain_for_real_makes_what_it_planned(empty_account, playbook):
    result = playbook(CHAIN, inventory=INVENTORY)
    assert result.returncode == 0, result
    apps = [app for app in empty_account.amplify.list_apps()["apps"] if app["name"] == "chain-check-app"]
    assert len(apps) == 1
    branch = empty_account.amplify.get_branch(appId=apps[0]["appId"], branchName="dev")["branch"]
    assert branch["computeRoleArn"].endswith(":role/chain-check-compute")
    assert apps[0]["computeRoleArn"] == branch["computeRoleArn"]
    # Then check mode plans nothing more.
    mark = empty_account.mark()
    again = playbook(CHAIN, "--check", inventory=INVENTORY)
    assert again.returncode == 0 and again.changed("localhost") == 0, again
    assert empty_account.writes_since(mark) == []


def test_an_app_id_that_does_not_exist_still_fails_in_check_mode(empty_account, playbook):
    result = playbook("tests/playbooks/bad_input/module.yml", "--check", "-e",
                      '{"bad_module": "branch", "bad_args": {"app": "d0000000000000", "branch_name": "dev"}}',
                      inventory=INVENTORY)
    assert result.returncode != 0
    assert "app: no Amplify app has the id or name 'd0000000000000'" in result.output, result
