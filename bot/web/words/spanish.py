"""The web pages in Spanish."""

from __future__ import annotations

from bot.web.words.page_words import Words

ES = Words(
    loading="Cargando…",
    tab_chat="Chat",
    tab_personas="Personas",
    tab_usage="Uso",
    tab_settings="Ajustes",
    sign_in_text=(
        "Entra con el enlace que te envió el bot. Funciona una vez, durante diez minutos."
    ),
    sign_in_button="Entrar",
    slow_down="Más despacio",
    too_many_sign_ins="Demasiados intentos: espera un minuto.",
    link_expired="Enlace caducado",
    link_expired_text="Este enlace ya se usó o caducó. Envía /web al bot para recibir otro.",
    no_messages="Aún no hay mensajes. ¡Saluda!",
    message="Mensaje",
    send="Enviar",
    persona_line=(
        "Persona: {persona} · la misma conversación que tu chat privado con el bot en Telegram."
    ),
    persona_switch_hint="Cambiar empieza una conversación nueva, como /persona.",
    in_use="en uso",
    use="Usar {persona}",
    tools="Herramientas: {tools}",
    today="Hoy",
    this_month="Este mes",
    of="de {budget}",
    answers="{count} respuestas",
    your_chart="Tu gasto, últimos {days} días",
    language="Idioma",
    automatic_language="Como mi Telegram",
    save="Guardar",
    start_over="Empezar de nuevo",
    start_over_text="Una conversación nueva, como /reset.",
    reset_button="Reiniciar la conversación",
    delete_title="Borrar todo lo mío",
    delete_text=(
        "Borra tu conversación con el bot (también en el servidor del modelo), sus archivos, "
        "tus mensajes en espera, el registro de cada respuesta, tu idioma y tus sesiones web. "
        "Se conserva: lo que gastaste hoy y este mes, como totales (tus presupuestos los "
        "cuentan), y los totales del bot, que no te nombran."
    ),
    delete_confirm="¿Borrar todo lo tuyo? No se puede deshacer.",
    delete_button="Borrar todo",
    sign_out="Cerrar sesión",
    sign_out_text="Cierra todas tus sesiones web, como /web logout.",
    sign_out_button="Cerrar sesión en todas partes",
    not_signed_in="No has entrado: envía /web al bot en un chat privado.",
    session_ended="Tu sesión terminó: envía /web al bot para recibir un enlace nuevo.",
    stranger="El bot no habla contigo (todavía).",
    stale_form="Este formulario caducó: recarga la página.",
    no_such_page="Esa página no existe.",
    no_such_persona="Esa persona no existe.",
    now_talking="Ahora hablas con {persona}.",
    saved="Guardado.",
    fresh_start="Empezó una conversación nueva.",
    deleted="Todo lo tuyo fue borrado.",
    not_deleted=(
        "El servidor del modelo no borró la conversación: no se borró nada; inténtalo de nuevo "
        "en un momento."
    ),
    server_away="El servidor del modelo no respondió: inténtalo de nuevo en un momento.",
    signed_out="Sesiones cerradas en todas partes.",
    write_something="Escribe algo primero.",
    too_long="Tiene más de {limit} caracteres.",
    wait_for_answer="Espera la respuesta antes de enviar el siguiente mensaje.",
    too_many_messages="Demasiados mensajes: espera un minuto.",
    other_process=(
        "Otro proceso del bot está respondiendo tu chat de Telegram ahora: inténtalo de nuevo "
        "en unos segundos."
    ),
    sent_already="Ese mensaje ya se envió.",
    moved_to_telegram=(
        "El resto de esta respuesta (archivos o una pregunta) está en tu chat de Telegram."
    ),
    failed="No funcionó.",
    done="Hecho.",
    open_from_telegram="Abre esta página con el botón de menú del bot en Telegram.",
    launch_refused="Los datos de Telegram no se pudieron verificar: ábrela de nuevo.",
)
