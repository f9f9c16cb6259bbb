/** @odoo-module **/
// Works two cards of the exception board: assign + replay, then resolve with a reason.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("logistics_monitoring_exception_board", {
    test: true,
    url: "/web#action=logistics_connector_base.action_logistics_exception&view_type=kanban",
    steps: () => [
        {
            content: "Open the dispatch card",
            trigger: ".o_kanban_record:contains('Tour dispatch failed')",
        },
        {
            content: "Assign it to me",
            trigger: "button[name='action_assign_to_me']",
        },
        {
            content: "Replay the shipment",
            trigger: "button[name='action_replay']",
        },
        {
            content: "The card is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
            isCheck: true,
        },
        {
            content: "Back to the board",
            trigger: ".o_back_button",
        },
        {
            content: "Open the address card",
            trigger: ".o_kanban_record:contains('Tour address refused')",
        },
        {
            content: "Mark it resolved",
            trigger: "button[name='action_open_resolve_wizard']",
        },
        {
            content: "Give the reason",
            trigger: "div[name='reason'] textarea",
            run: "text Street corrected with the customer",
        },
        {
            content: "Confirm",
            trigger: "button[name='action_confirm']",
        },
        {
            content: "The card is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
            isCheck: true,
        },
    ],
});
