# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.formats import named
from ..tools.holders import holders


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "crm.call.target.mixin"]

    stage_catalogue_id = fields.Many2one(
        "crm.stage.catalogue",
        ondelete="set null",
        help="Sales process applied to this team. A team with a catalogue has "
        "exactly its own stages: the stages shared by every team no longer "
        "show in its pipeline, nor receive its new or won deals. Clear it to "
        "see the shared stages again.",
    )

    def _sff_company(self):
        """The company of a team's forecasts, target plans and Forecast
        screen: the team's, or for a team shared by companies (or no team)
        the current one."""
        return self.company_id or self.env.company

    @api.model
    def _sff_fill_company(self, vals):
        """The company of a team's record (a forecast, a target plan)
        created without one: the team's, as the form takes it from the team
        (an import, a client's call)."""
        if (
            "company_id" not in vals
            and vals.get("team_id")
            and not self.env.context.get("default_company_id")
        ):
            vals["company_id"] = self.browse(vals["team_id"])._sff_company().id

    @api.model
    def _sff_own_team(self):
        """The current user's sales team, among the active teams the user
        may read in the selected companies (``env.user`` is a superuser's
        record: its team may be one of a company not selected): their main
        team, else the first other team they are a member or the leader of,
        as Odoo picks a team for their deals (a leader who is not a member,
        a salesperson whose main team was archived)."""
        user = self.env.user
        teams = self.search(["|", ("user_id", "=", user.id), ("member_ids", "in", user.ids)])
        return teams.filtered(lambda team: team == user.sale_team_id) or teams[:1]

    def _sff_process_domain(self):
        """The stages of this team's process for its new, won and arriving
        deals: not those of an earlier catalogue, which stay while deals
        are in them (stages added by hand count)."""
        self.ensure_one()
        return [
            ("team_id", "=", self.id),
            "|",
            ("catalogue_line_id", "=", False),
            ("catalogue_line_id.catalogue_id", "=", self.stage_catalogue_id.id),
        ]

    def _sff_own_stage(self, stage, by_name=False):
        """The id of the stage of this team's pipeline for ``stage`` (a
        record): a stage that another team made from a step of the
        catalogue this team has too is this team's stage of that step (an
        import names stages by name, and finds another team's first); with
        ``by_name`` (a stage the user named: a save, an import), a step of
        another catalogue is the team's one stage of the same name; any
        other stage stays."""
        # sudo: the team's process decides where its deals go, whoever moves
        # them (a reseller on Odoo's partner portal reads no team)
        team, stage = self.sudo(), stage.sudo()
        if len(team) != 1 or not team.stage_catalogue_id:
            return stage.id
        if stage.team_id == team or not stage.catalogue_line_id:
            return stage.id
        Stage = team.env["crm.stage"]
        own = Stage.search(
            [("team_id", "=", team.id), ("catalogue_line_id", "=", stage.catalogue_line_id.id)],
            limit=1,
        )
        if not own and by_name:
            named = Stage.search([("team_id", "=", team.id), ("name", "=", stage.name)], limit=2)
            own = named if len(named) == 1 else own
        return own.id or stage.id

    def _sff_entry_stage(self, stage):
        """The stage a deal created in ``stage`` for this team (or none)
        starts in: the team's own of that step or name (an import names
        stages by name), then a stage of its pipeline
        (``_sff_pipeline_stage``)."""
        if stage.catalogue_line_id and stage.team_id:
            stage = stage.browse(self._sff_own_stage(stage, by_name=True))
        return self._sff_pipeline_stage(stage) if len(self) == 1 else stage

    def _sff_pipeline_stage(self, stage):
        """The stage of this team's pipeline for a deal in ``stage`` that
        Odoo brings into the team (a merge, a conversion, a hand-over):
        ``stage`` where it is the team's, or an open stage where the team
        has no process of its own (as in plain Odoo); else the team's stage
        of the same catalogue step in its process, its won stage for a won
        one (another team's won stage is in no funnel of this team: the
        deal is won in its own pipeline, as "Won" does), or its open stage
        nearest in percentage (the earlier of two as near), so that the deal
        keeps its progress. An archived stage (a lost deal restored after
        its stage was archived) is in no pipeline: the pipeline's stage
        nearest to it, the same way. For no team (an empty ``self``), the shared
        stages are the pipeline. In the caller's environment."""
        if self:
            self.ensure_one()
        # sudo: as _sff_own_stage
        team, given = self.sudo(), stage.sudo()
        if given.active and (
            given.team_id == team
            or (not team.stage_catalogue_id and not (given.is_won and given.team_id))
        ):
            return stage
        if given.active:
            # the team's stage of the step, unless an earlier catalogue's
            # (kept while deals are in it): deals handed over go to its process
            own = given.browse(team._sff_own_stage(given))
            if own != given and own.filtered_domain(team._sff_process_domain()):
                return stage.browse(own.id)
        Stage = team.env["crm.stage"]
        domain = [("is_won", "=", given.is_won)]
        # the team's own stages first: its process, or for a won deal of a
        # team without one its own won stage before the shared one
        if team.stage_catalogue_id:
            own_domain = team._sff_process_domain()
        elif team and given.is_won:
            own_domain = [("team_id", "=", team.id)]
        else:
            own_domain = None
        stages = (
            Stage.search(own_domain + domain) if own_domain else Stage.browse()
        ) or Stage.search(Stage._sff_pipeline_domain(team.id) + domain)
        stages = stages._sff_sorted()
        if not stages or given.is_won:
            return stage.browse(stages[:1].id) or stage
        nearest = min(
            stages,
            key=lambda candidate: abs(candidate.forecast_probability - given.forecast_probability),
        )
        return stage.browse(nearest.id)

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_except_plans_and_forecasts(self):
        plans = holders(self.env, "crm.target.plan", "team_id", self.ids)
        if plans:
            raise UserError(
                self.env._(
                    "These teams have target plans (%(plans)s): delete the plans first, or "
                    "archive the teams.",
                    plans=named(plans),
                )
            )
        forecast_teams = holders(self.env, "crm.forecast.submission", "team_id", self.ids).team_id
        if forecast_teams:
            raise UserError(
                self.env._(
                    "These teams have forecasts submitted for them (%(teams)s): archive the "
                    "teams instead, the forecasts stay with them.",
                    teams=named(forecast_teams, "name"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams.filtered("stage_catalogue_id")._sff_apply_catalogue_if_stageless()
        return teams

    def _sff_apply_catalogue_if_stageless(self):
        """A team given a catalogue (the team form, an import) without
        stages of its own would have no pipeline at all: the catalogue is
        applied to it, as its Apply button does. A team with stages of its
        own keeps them."""
        # sudo: whether the team has stages, archived ones too
        Stage = self.env["crm.stage"].sudo().with_context(active_test=False)
        for team in self:
            if not Stage.search_count([("team_id", "=", team.id)], limit=1):
                self.env["crm.stage.catalogue.apply"].create(
                    {"catalogue_id": team.stage_catalogue_id.id, "team_id": team.id}
                ).action_apply()

    def write(self, vals):
        result = super().write(vals)
        if vals.get("stage_catalogue_id") and not self.env.context.get("sff_applying_catalogue"):
            # (the Apply wizard rebuilds the funnel rows after its stages)
            self._sff_apply_catalogue_if_stageless()
        if "stage_catalogue_id" in vals:
            # the team's pipeline changed: shared stages left or came back
            # sudo: every deal of the team, not only those the user can read
            Reach = self.env["crm.lead.stage.reach"].sudo()
            Reach._sff_rebuild(Reach._sff_deals_of_pipelines(self.ids, False))
        return result

    def unlink(self):
        # the teams' deals, and with stages of their own every deal of the
        # shared pipelines (the stages become shared), change pipeline
        Reach = self.env["crm.lead.stage.reach"].sudo()
        own_stages = bool(
            self.env["crm.stage"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("team_id", "in", self.ids)], limit=1)
        )
        lead_ids = set(Reach._sff_deals_of_pipelines(self.ids, False))
        # the teams' calls per day lose their team: counted again once it is
        # gone, added to the days' rows without a team (emptied in place,
        # two rows of a day would fall on one key)
        self.env["crm.lead.call"].flush_model()
        self.env.cr.execute(
            "DELETE FROM crm_lead_call_day WHERE team_id = ANY(%s) RETURNING user_id, day",
            [self.ids],
        )
        call_days = set(self.env.cr.fetchall())
        result = super().unlink()
        self.env["crm.lead.call.day"]._sff_recount(call_days)
        if own_stages:
            lead_ids.update(Reach._sff_deals_of_pipelines([], True))
        Reach._sff_rebuild(sorted(lead_ids))
        return result
